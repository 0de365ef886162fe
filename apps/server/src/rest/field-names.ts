// The REST contract speaks snake_case (`due_date`), the procedures camelCase
// (`dueDate`). These two functions are the whole translation.

export function snakeToCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function camelToSnake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
