/** The app's name with its mark, in the header and on the login card. */
export function Brand({ large = false }: { large?: boolean }) {
  return (
    <p className={large ? "brand brand-large" : "brand"}>
      <span className="brand-mark" aria-hidden="true">
        ✓
      </span>
      Todo
    </p>
  );
}
