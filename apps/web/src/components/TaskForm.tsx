import type { NewTask, Task, TaskPriority } from "@todo/client";
import { useRef, useState, type FormEvent, type KeyboardEvent } from "react";

import { messagesByField, type ApiFailure } from "../api-failure.js";
import { isoToLocalInput, localInputToIso } from "../due-date.js";
import { focusFirstInvalid } from "../focus-first-invalid.js";
import { Field } from "./Field.js";
import { FormError } from "./FormError.js";

const FIELDS = ["title", "description", "priority", "dueDate", "tags"] as const;
type TaskField = (typeof FIELDS)[number];

export const PRIORITY_LABELS: Record<TaskPriority, string> = {
  low: "Low",
  medium: "Medium",
  high: "High",
};

interface Values {
  title: string;
  description: string;
  priority: TaskPriority;
  dueDate: string;
  tags: string;
}

interface TaskFormProps {
  /** The task being edited; a new one when absent. */
  task?: Task;
  /** The form's accessible name, e.g. "New task". */
  label: string;
  submitLabel: string;
  /** Saves the draft; resolves to the failure to show, or null when saved. */
  onSubmit: (draft: NewTask) => Promise<ApiFailure | null>;
  /** Editing only: Escape or the Cancel button. */
  onCancel?: () => void;
}

export function TaskForm({ task, label, submitLabel, onSubmit, onCancel }: TaskFormProps) {
  const formRef = useRef<HTMLFormElement>(null);
  const titleRef = useRef<HTMLInputElement>(null);
  const [values, setValues] = useState<Values>(() => valuesOf(task));
  const valuesRef = useRef(values);
  valuesRef.current = values;
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<TaskField, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const set = <K extends keyof Values>(field: K, value: Values[K]) =>
    setValues((previous) => ({ ...previous, [field]: value }));

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaving(true);
    const submitted = values;
    const failure = await onSubmit(draftOf(submitted));
    setSaving(false);
    if (failure) {
      const messages = messagesByField(failure, FIELDS);
      setFieldErrors(messages.fieldErrors);
      setFormError(messages.formError);
      focusFirstInvalid(formRef.current);
      return;
    }
    setFieldErrors({});
    setFormError(null);
    // Ready for the next one, unless the user has already begun it: a new
    // task shows in the list before the server has answered.
    if (!task && valuesRef.current === submitted) {
      setValues(valuesOf(undefined));
      titleRef.current?.focus();
    }
  }

  function cancelOnEscape(event: KeyboardEvent<HTMLFormElement>) {
    if (event.key === "Escape" && onCancel) {
      event.preventDefault();
      onCancel();
    }
  }

  return (
    <form
      ref={formRef}
      className="task-form"
      aria-label={label}
      onSubmit={submit}
      onKeyDown={cancelOnEscape}
      noValidate
    >
      <Field label="Title" error={fieldErrors.title} className="span-all">
        {(control) => (
          <input
            {...control}
            ref={titleRef}
            name="title"
            value={values.title}
            onChange={(event) => set("title", event.target.value)}
            placeholder={task ? undefined : "What needs doing?"}
            autoComplete="off"
            autoFocus={Boolean(task)}
            required
          />
        )}
      </Field>
      <Field label="Description" error={fieldErrors.description} className="span-all">
        {(control) => (
          <textarea
            {...control}
            name="description"
            value={values.description}
            onChange={(event) => set("description", event.target.value)}
            rows={2}
          />
        )}
      </Field>
      <Field label="Priority" error={fieldErrors.priority}>
        {(control) => (
          <select
            {...control}
            name="priority"
            value={values.priority}
            onChange={(event) => set("priority", event.target.value as TaskPriority)}
          >
            {Object.entries(PRIORITY_LABELS).map(([value, text]) => (
              <option key={value} value={value}>
                {text}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Due" error={fieldErrors.dueDate}>
        {(control) => (
          <input
            {...control}
            type="datetime-local"
            name="dueDate"
            value={values.dueDate}
            onChange={(event) => set("dueDate", event.target.value)}
          />
        )}
      </Field>
      <Field label="Tags" error={fieldErrors.tags} hint="Separate tags with commas">
        {(control) => (
          <input
            {...control}
            name="tags"
            value={values.tags}
            onChange={(event) => set("tags", event.target.value)}
            placeholder="e.g. home, errands"
            autoComplete="off"
          />
        )}
      </Field>
      <FormError message={formError} />
      <div className="form-actions span-all">
        {onCancel ? (
          <button type="button" className="button-quiet" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
        <button type="submit" className="button-primary" disabled={saving}>
          {saving ? "Saving…" : submitLabel}
        </button>
      </div>
    </form>
  );
}

function valuesOf(task: Task | undefined): Values {
  return {
    title: task?.title ?? "",
    description: task?.description ?? "",
    priority: task?.priority ?? "medium",
    dueDate: isoToLocalInput(task?.dueDate ?? null),
    tags: task?.tags.join(", ") ?? "",
  };
}

/** Every writable field, so that the same draft creates a task or replaces an edited one's. */
function draftOf(values: Values): NewTask {
  return {
    title: values.title,
    description: values.description.trim() === "" ? null : values.description,
    priority: values.priority,
    dueDate: localInputToIso(values.dueDate),
    tags: values.tags
      .split(",")
      .map((tag) => tag.trim())
      .filter((tag) => tag !== ""),
  };
}
