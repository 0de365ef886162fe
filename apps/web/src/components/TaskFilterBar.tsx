import type { TaskFilters, TaskPriority } from "@todo/client";
import { useId } from "react";

import { ClearableInput } from "./ClearableInput.js";
import { PRIORITY_LABELS } from "./TaskForm.js";

type Status = NonNullable<TaskFilters["status"]>;
type Sort = NonNullable<TaskFilters["sort"]>;
type Order = NonNullable<TaskFilters["order"]>;

/** What the filter bar edits: the list's filters, with search and tag as typed so far. */
export interface FilterValues {
  status: Status;
  priority: TaskPriority | "";
  tag: string;
  search: string;
  sort: Sort;
  order: Order;
}

const STATUS_LABELS: Record<Status, string> = {
  all: "All",
  pending: "Pending",
  completed: "Completed",
};

const SORT_LABELS: Record<Sort, string> = {
  created: "Date created",
  updated: "Last updated",
  title: "Title",
  due_date: "Due date",
  priority: "Priority",
};

/** The server's default order for each sort (newest and most urgent first; A→Z, soonest first). */
const DEFAULT_ORDER: Record<Sort, Order> = {
  created: "desc",
  updated: "desc",
  title: "asc",
  due_date: "asc",
  priority: "desc",
};

export const DEFAULT_FILTERS: FilterValues = {
  status: "all",
  priority: "",
  tag: "",
  search: "",
  sort: "created",
  order: "desc",
};

export function isFiltered(values: FilterValues): boolean {
  return (
    values.status !== "all" ||
    values.priority !== "" ||
    values.tag.trim() !== "" ||
    values.search.trim() !== ""
  );
}

/** The list query for these values; empty filters are left out. */
export function toTaskFilters(values: FilterValues): TaskFilters {
  const tag = values.tag.trim();
  const search = values.search.trim();
  return {
    ...(values.status !== "all" ? { status: values.status } : {}),
    ...(values.priority ? { priority: values.priority } : {}),
    ...(tag ? { tag } : {}),
    ...(search ? { search } : {}),
    sort: values.sort,
    order: values.order,
  };
}

interface TaskFilterBarProps {
  values: FilterValues;
  onChange: (values: FilterValues) => void;
  /** Tags to suggest in the tag filter. */
  knownTags: readonly string[];
}

export function TaskFilterBar({ values, onChange, knownTags }: TaskFilterBarProps) {
  const id = useId();
  const change = (patch: Partial<FilterValues>) => onChange({ ...values, ...patch });
  const descending = values.order === "desc";

  return (
    <div className="filter-bar" role="search" aria-label="Filter tasks">
      <div className="field filter-search">
        <label htmlFor={`${id}-search`}>Search</label>
        <ClearableInput
          id={`${id}-search`}
          type="search"
          value={values.search}
          onValueChange={(search) => change({ search })}
          clearLabel="Clear search"
          placeholder="Title or description"
        />
      </div>
      <fieldset className="segmented">
        <legend>Status</legend>
        {Object.entries(STATUS_LABELS).map(([status, text]) => (
          <label key={status}>
            <input
              type="radio"
              name={`${id}-status`}
              value={status}
              checked={values.status === status}
              onChange={() => change({ status: status as Status })}
            />
            <span>{text}</span>
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-priority`}>Priority</label>
        <select
          id={`${id}-priority`}
          value={values.priority}
          onChange={(event) => change({ priority: event.target.value as TaskPriority | "" })}
        >
          <option value="">Any</option>
          {Object.entries(PRIORITY_LABELS).map(([value, text]) => (
            <option key={value} value={value}>
              {text}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-tag`}>Tag</label>
        <ClearableInput
          id={`${id}-tag`}
          list={`${id}-tags`}
          value={values.tag}
          onValueChange={(tag) => change({ tag })}
          clearLabel="Clear tag filter"
          placeholder="Any"
          autoComplete="off"
        />
        <datalist id={`${id}-tags`}>
          {knownTags.map((tag) => (
            <option key={tag} value={tag} />
          ))}
        </datalist>
      </div>
      <div className="field">
        <label htmlFor={`${id}-sort`}>Sort by</label>
        <div className="sort-control">
          <select
            id={`${id}-sort`}
            value={values.sort}
            onChange={(event) => {
              const sort = event.target.value as Sort;
              change({ sort, order: DEFAULT_ORDER[sort] });
            }}
          >
            {Object.entries(SORT_LABELS).map(([value, text]) => (
              <option key={value} value={value}>
                {text}
              </option>
            ))}
          </select>
          <button
            type="button"
            className="button-quiet order-toggle"
            onClick={() => change({ order: descending ? "asc" : "desc" })}
            aria-label={descending ? "Descending order" : "Ascending order"}
            title={
              descending ? "Descending: click for ascending" : "Ascending: click for descending"
            }
          >
            <span aria-hidden="true">{descending ? "↓" : "↑"}</span>
          </button>
        </div>
      </div>
    </div>
  );
}
