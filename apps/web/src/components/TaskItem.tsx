import type { NewTask, Task } from "@todo/client";
import { useEffect, useRef, useState } from "react";

import type { ApiFailure } from "../api-failure.js";
import { isPlaceholder } from "../optimistic-tasks.js";
import { TaskDetails } from "./TaskDetails.js";
import { TaskForm } from "./TaskForm.js";

/** A refused save; `current` is the task as it now is when it was changed elsewhere. */
export interface SaveRefusal {
  failure: ApiFailure;
  current?: Task;
}

interface TaskItemProps {
  task: Task;
  /** Why the last tick or delete of this task was refused, if it was. */
  notice: string | null;
  /** Each change names the task as the user saw it: its version is the one the change expects. */
  onSetCompleted: (task: Task, completed: boolean) => Promise<void>;
  onSave: (task: Task, draft: NewTask) => Promise<SaveRefusal | null>;
  onDelete: (task: Task) => Promise<void>;
  /** Editing begins: the notice is out of date. */
  onStartEditing: (task: Task) => void;
  onTagClick: (tag: string) => void;
}

export function TaskItem({
  task,
  notice,
  onSetCompleted,
  onSave,
  onDelete,
  onStartEditing,
  onTagClick,
}: TaskItemProps) {
  // The task as it was when the edit began (or as last shown beside the
  // form): a save applies only to that version, never silently over a newer one.
  const [editedTask, setEditedTask] = useState<Task | null>(null);
  const [changedElsewhere, setChangedElsewhere] = useState(false);
  const [busy, setBusy] = useState(false);
  // The box as clicked, until the change is done: the list's own optimistic
  // update comes a moment later, and the box must not flicker back meanwhile.
  const [clickedCompleted, setClickedCompleted] = useState<boolean | null>(null);
  const editButtonRef = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef(false);
  const editing = editedTask !== null;

  useEffect(() => {
    // Back from the edit form, focus goes where it was: on "Edit".
    if (!editing && returnFocus.current) {
      returnFocus.current = false;
      editButtonRef.current?.focus();
    }
  }, [editing]);

  const startEditing = () => {
    onStartEditing(task);
    setChangedElsewhere(false);
    setEditedTask(task);
  };
  const stopEditing = () => {
    returnFocus.current = true;
    setEditedTask(null);
  };

  async function run(action: () => Promise<void>) {
    setBusy(true);
    try {
      await action();
    } finally {
      setBusy(false);
    }
  }

  if (editedTask) {
    return (
      <li className="task is-editing">
        {changedElsewhere ? (
          <section className="task-current" aria-label="Its current version">
            <p className="task-current-heading">Current version, saved elsewhere</p>
            <div className="task-body">
              <TaskDetails task={editedTask} />
            </div>
          </section>
        ) : null}
        <TaskForm
          task={editedTask}
          label={`Edit “${editedTask.title}”`}
          submitLabel="Save"
          onSubmit={async (draft) => {
            const refusal = await onSave(editedTask, draft);
            if (!refusal) {
              stopEditing();
              return null;
            }
            if (refusal.current) {
              setEditedTask(refusal.current);
              setChangedElsewhere(true);
              return {
                ...refusal.failure,
                message: `${refusal.failure.message} Its current version is shown above; your edit is kept: save to apply it over that version, or cancel.`,
              };
            }
            return refusal.failure;
          }}
          onCancel={stopEditing}
        />
      </li>
    );
  }

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
        <TaskDetails task={task} onTagClick={onTagClick} />
        {notice ? (
          <p className="task-notice" role="alert">
            {notice}
          </p>
        ) : null}
      </div>
      <div className="task-actions">
        <button
          type="button"
          ref={editButtonRef}
          className="button-quiet"
          onClick={startEditing}
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
