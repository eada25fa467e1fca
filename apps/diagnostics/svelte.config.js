// Runes everywhere: a component with no rune in it would otherwise compile in legacy mode and
// pull Svelte's legacy runtime into every page.
export default {
  compilerOptions: { runes: true },
};
