/**
 * What must be undone however the run ends (children, the database): steps
 * run once, newest first, and one that fails does not stop the others.
 */
export class Teardown {
  private readonly steps: Array<{ label: string; undo: () => Promise<void> }> = [];
  private running: Promise<void> | undefined;

  add(label: string, undo: () => Promise<void>): void {
    // Something that came up while tearing down is undone straight away.
    if (this.running) void this.running.then(() => this.undoStep({ label, undo }));
    else this.steps.push({ label, undo });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.reverse()) await this.undoStep(step);
    })();
    return this.running;
  }

  private async undoStep(step: { label: string; undo: () => Promise<void> }): Promise<void> {
    try {
      await step.undo();
    } catch (error) {
      console.error(
        `cleanup: ${step.label} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
