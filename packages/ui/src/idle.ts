/**
 * Runs `run` at the page's next idle moment (requestIdleCallback), `withinMs` at the latest when
 * the page is never idle. Where there is no requestIdleCallback (Safari before 18.4, Node), after
 * the current task.
 */
export function whenIdle(run: () => void, withinMs: number): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(run, { timeout: withinMs });
  else setTimeout(run, 0);
}
