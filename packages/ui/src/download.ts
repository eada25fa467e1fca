/** Saving a file the page made (an export, a report): one helper for every page that offers one. */

/** Offers `content` as a download named `name`; the object URL is revoked a while later. */
export const REVOKE_AFTER_MS = 10_000;

export function downloadFile(content: string | Blob, type: string, name: string): void {
  const url = URL.createObjectURL(typeof content === 'string' ? new Blob([content], { type }) : content);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  // Not at once: Firefox can still be reading the URL after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
}
