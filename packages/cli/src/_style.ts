/** Terminal styling for human output: each function returns its text unchanged when colour is off. */
export interface Style {
  readonly red: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly green: (text: string) => string;
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
}

function sgr(open: number, close: number, on: boolean): (text: string) => string {
  return on ? (text) => `\u001b[${open}m${text}\u001b[${close}m` : (text) => text;
}

/** ANSI styles when `color` is true, identity functions otherwise. */
export function createStyle(color: boolean): Style {
  return {
    red: sgr(31, 39, color),
    yellow: sgr(33, 39, color),
    green: sgr(32, 39, color),
    bold: sgr(1, 22, color),
    dim: sgr(2, 22, color),
  };
}
