/** After a failed submit, keyboard users land on the first field that needs fixing. */
export function focusFirstInvalid(form: HTMLFormElement | null): void {
  // Runs after React has rendered the errors (and aria-invalid) of this submit.
  requestAnimationFrame(() => {
    form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  });
}
