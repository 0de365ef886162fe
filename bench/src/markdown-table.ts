export interface Column {
  title: string;
  align?: "left" | "right";
}

/**
 * A Markdown table with padded columns, laid out as Prettier lays it out, so
 * generated files pass `prettier --check` unchanged.
 */
export function markdownTable(columns: Column[], rows: string[][]): string {
  const width = (text: string) => [...text].length;
  const widths = columns.map((column, i) =>
    Math.max(3, width(column.title), ...rows.map((cells) => width(cells[i] ?? ""))),
  );
  const cell = (text: string, i: number) => {
    const padding = " ".repeat(widths[i]! - width(text));
    return columns[i]?.align === "right" ? padding + text : text + padding;
  };
  const line = (cells: string[]) => `| ${cells.map(cell).join(" | ")} |`;
  const rule = columns.map((column, i) =>
    column.align === "right" ? `${"-".repeat(widths[i]! - 1)}:` : "-".repeat(widths[i]!),
  );
  return [
    line(columns.map((column) => column.title)),
    `| ${rule.join(" | ")} |`,
    ...rows.map((cells) => line(columns.map((_, i) => cells[i] ?? ""))),
  ].join("\n");
}
