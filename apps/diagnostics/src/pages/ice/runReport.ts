/** The parts of a run's report computed outside the reactive model. */

/** Now, as the report's `createdAt`. */
export function timestamp(): string {
  return new Date().toISOString();
}
