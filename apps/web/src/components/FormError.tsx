/** A form's message that belongs to no single field; announced when it appears. */
export function FormError({ message }: { message: string | null }) {
  return (
    <p role="alert" className="form-error" hidden={!message}>
      {message}
    </p>
  );
}
