// What a suggestion's provenance says about the target GP's lengthscales, at a size that does not grow
// with the encoding. The GP learns one lengthscale per encoded column, so a categorical of 1,000
// choices has 1,000 of them: recorded on every model-based trial that made provenance (and exports)
// grow with the choices, and a person reading it wants one figure per parameter anyway.
//
// Per parameter: a numeric parameter's own lengthscale; a categorical's geometric mean over its
// choices' columns (the mean on the log scale, where the fit optimises them). Per column, as fitted,
// only while the encoding is narrow; the next ask's fit starts from whichever is recorded, so the
// summary must expand back to columns (each choice of a categorical gets the parameter's figure).
import type { Encoder } from '../encoding.ts';
import type { ParameterLengthscale } from '../schema.ts';

/** Encoded columns up to which the fitted per-column lengthscales are recorded as they are. */
export const MAX_RECORDED_COLUMNS = 64;

export function lengthscalesByParameter(encoder: Encoder, lengthscales: ArrayLike<number>): ParameterLengthscale[] {
  return encoder.blocks.map(({ param, offset, width }) => {
    if (width === 1) return { parameter: param.name, lengthscale: lengthscales[offset]! };
    let logSum = 0;
    for (let k = 0; k < width; k++) logSum += Math.log(lengthscales[offset + k]!);
    return { parameter: param.name, lengthscale: Math.exp(logSum / width) };
  });
}

/** Per-column lengthscales from a per-parameter summary, or null when it does not name exactly this space's parameters. */
export function columnLengthscales(encoder: Encoder, byParameter: readonly ParameterLengthscale[]): number[] | null {
  if (byParameter.length !== encoder.blocks.length) return null;
  const out: number[] = [];
  for (let i = 0; i < encoder.blocks.length; i++) {
    const { param, width } = encoder.blocks[i]!;
    const given = byParameter[i]!;
    if (given.parameter !== param.name || !(given.lengthscale > 0) || !Number.isFinite(given.lengthscale)) return null;
    for (let k = 0; k < width; k++) out.push(given.lengthscale);
  }
  return out;
}

/** The lengthscale fields of a model summary, and the note that says when the per-column figures were left out. */
export function recordedLengthscales(
  encoder: Encoder,
  lengthscales: number[],
): { fields: { lengthscales?: number[]; lengthscalesByParameter: ParameterLengthscale[] }; note?: string } {
  const byParameter = lengthscalesByParameter(encoder, lengthscales);
  if (lengthscales.length <= MAX_RECORDED_COLUMNS) return { fields: { lengthscales, lengthscalesByParameter: byParameter } };
  return {
    fields: { lengthscalesByParameter: byParameter },
    note:
      `per-column lengthscales not recorded: the encoding has ${lengthscales.length} columns (more than ${MAX_RECORDED_COLUMNS}); ` +
      'lengthscalesByParameter gives one per parameter (a categorical: the geometric mean over its choices), and the next fit starts from it',
  };
}
