import type { NewTask, Task } from "@todo/client";
import { useEffect, useRef, useState } from "react";

import type { ApiFailure } from "../api-failure.js";
import { formatDueDate, isOverdue } from "../due-date.js";
import { isPlaceholder } from "../optimistic-tasks.js";
import { PRIORITY_LABELS, TaskForm } from "./TaskForm.js";

interface TaskItemProps {
  task: Task;
  onSetCompleted: (task: Task, completed: boolean) => Promise<void>;
  onSave: (task: Task, draft: NewTask) => Promise<ApiFailure | null>;
  onDelete: (task: Task) => Promise<void>;
  onTagClick: (tag: string) => void;
}

export function TaskItem({ task, onSetCompleted, onSave, onDelete, onTagClick }: TaskItemProps) {
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  // The box as clicked, until the change is done: the list's own optimistic
  // update comes a moment later, and the box must not flicker back meanwhile.
  const [clickedCompleted, setClickedCompleted] = useState<boolean | null>(null);
  const editButtonRef = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef(false);

  useEffect(() => {
    // Back from the edit form, focus goes where it was: on "Edit".
    if (!editing && returnFocus.current) {
      returnFocus.current = false;
      editButtonRef.current?.focus();
    }
  }, [editing]);

  const stopEditing = () => {
    returnFocus.current = true;
    setEditing(false);
  };

  async function run(action: () => Promise<void>) {
    setBusy(true);
    try {
      await action();
    } finally {
      setBusy(false);
    }
  }

  if (editing) {
    return (
      <li className="task is-editing">
        <TaskForm
          task={task}
          label={`Edit “${task.title}”`}
          submitLabel="Save"
          onSubmit={async (draft) => {
            const failure = await onSave(task, draft);
            if (!failure) stopEditing();
            return failure;
          }}
          onCancel={stopEditing}
        />
      </li>
    );
  }

  const overdue = !task.completed && isOverdue(task.dueDate);
  // A change of this task is on its way, or the task itself is, not stored yet.
  const pending = busy || isPlaceholder(task);
  return (
    <li className={task.completed ? "task is-completed" : "task"} aria-busy={pending || undefined}>
      <input
        type="checkbox"
        className="task-check"
        checked={clickedCompleted ?? task.completed}
        // Not disabled while saving: that would take the keyboard focus away.
        onChange={(event) => {
          if (pending) return;
          const completed = event.target.checked;
          setClickedCompleted(completed);
          void run(() => onSetCompleted(task, completed)).finally(() => setClickedCompleted(null));
        }}
        aria-label={`Completed: ${task.title}`}
      />
      <div className="task-body">
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
                  <button
                    type="button"
                    className="tag"
                    onClick={() => onTagClick(tag)}
                    title={`Show tasks tagged ${tag}`}
                  >
                    #{tag}
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      </div>
      <div className="task-actions">
        <button
          type="button"
          ref={editButtonRef}
          className="button-quiet"
          onClick={() => setEditing(true)}
          disabled={pending}
        >
          Edit<span className="visually-hidden"> “{task.title}”</span>
        </button>
        <button
          type="button"
          className="button-quiet button-danger"
          onClick={() => void run(() => onDelete(task))}
          disabled={pending}
        >
          Delete<span className="visually-hidden"> “{task.title}”</span>
        </button>
      </div>
    </li>
  );
}
