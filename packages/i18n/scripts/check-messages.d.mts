export function checkMessages(options?: { checkUnused?: boolean }): string[];
