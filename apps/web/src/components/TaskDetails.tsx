import type { Task } from "@todo/client";

import { formatDueDate, isOverdue } from "../due-date.js";
import { PRIORITY_LABELS } from "./TaskForm.js";

interface TaskDetailsProps {
  task: Task;
  /** Tags are buttons that filter the list by them when given. */
  onTagClick?: (tag: string) => void;
}

/** A task's title, description, priority, due date and tags, as the list shows them. */
export function TaskDetails({ task, onTagClick }: TaskDetailsProps) {
  const overdue = !task.completed && isOverdue(task.dueDate);
  return (
    <>
      <p className="task-title">{task.title}</p>
      {task.description ? <p className="task-description">{task.description}</p> : null}
      <div className="task-meta">
        <span className={`badge priority-${task.priority}`}>
          {PRIORITY_LABELS[task.priority]}
          <span className="visually-hidden"> priority</span>
        </span>
        {task.dueDate ? (
          <span className={overdue ? "due is-overdue" : "due"}>
            {overdue ? "Overdue · " : "Due "}
            <time dateTime={task.dueDate}>{formatDueDate(task.dueDate)}</time>
          </span>
        ) : null}
        {task.tags.length > 0 ? (
          <ul className="tags" aria-label="Tags">
            {task.tags.map((tag) => (
              <li key={tag}>
                {onTagClick ? (
                  <button
                    type="button"
                    className="tag"
                    onClick={() => onTagClick(tag)}
                    title={`Show tasks tagged ${tag}`}
                  >
                    #{tag}
                  </button>
                ) : (
                  <span className="tag">#{tag}</span>
                )}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </>
  );
}
