/**
 * Camera probe: which capture sizes a camera really delivers. The standard resolution list (the one
 * place it is defined), the probe's results and options, `probeResolutions` (the quick scan, and with
 * a frame measurer the deep pass), `measureVideoFrames` (the only part that needs the DOM) and the
 * report's CSV export.
 */
export * from './resolutions.js';
export * from './results.js';
export * from './probe.js';
export * from './frames.js';
export * from './csv-export.js';
