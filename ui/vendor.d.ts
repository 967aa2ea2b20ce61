// The chart library, which src/routes/ui.ts serves from the installed packages under /ui/vendor/:
// index.html loads Vega and Vega-Lite as classic scripts (the globals below) before any module, and
// charts.js imports Vega's CSP-safe expression interpreter as an ES module.
declare const vega: typeof import('vega');
declare const vegaLite: typeof import('vega-lite');

declare module '*/vendor/vega-interpreter.js' {
  export const expressionInterpreter: typeof import('vega-interpreter').expressionInterpreter;
}
