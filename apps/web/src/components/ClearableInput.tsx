import { useRef, type InputHTMLAttributes } from "react";

interface ClearableInputProps extends Omit<
  InputHTMLAttributes<HTMLInputElement>,
  "value" | "onChange"
> {
  value: string;
  onValueChange: (value: string) => void;
  /** The clear button's accessible name, e.g. "Clear tag filter". */
  clearLabel: string;
}

/**
 * A text input with a button that empties it, shown while it has a value;
 * Escape empties it too. Focus stays in the input, ready for the next word.
 */
export function ClearableInput({
  value,
  onValueChange,
  clearLabel,
  ...input
}: ClearableInputProps) {
  const inputRef = useRef<HTMLInputElement>(null);
  const clear = () => {
    onValueChange("");
    inputRef.current?.focus();
  };
  return (
    <div className="clearable">
      <input
        {...input}
        ref={inputRef}
        value={value}
        onChange={(event) => onValueChange(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === "Escape" && value !== "") {
            event.preventDefault();
            clear();
          }
        }}
      />
      {value !== "" ? (
        <button
          type="button"
          className="clear-button"
          onClick={clear}
          aria-label={clearLabel}
          title={clearLabel}
        >
          <span aria-hidden="true">×</span>
        </button>
      ) : null}
    </div>
  );
}
