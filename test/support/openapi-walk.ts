// Walking the OpenAPI document the service serves: its operations and the request examples it offers.
// Shared by test/security/strict-input.test.ts (every example is accepted by its route) and
// test/contract/ (the document is complete and a generated client works).

export type Operation = { method: string; path: string; op: any };

/** Every operation of the document, or those under `prefix`. */
export function operations(spec: any, prefix = ''): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries<any>(spec.paths)) {
    if (!path.startsWith(prefix)) continue;
    for (const method of ['get', 'post', 'patch', 'put', 'delete']) if (item[method]) out.push({ method: method.toUpperCase(), path, op: item[method] });
  }
  return out;
}

export const jsonMedia = (op: any) => op.requestBody?.content?.['application/json'];
export const jsonBodySchema = (op: any) => jsonMedia(op)?.schema;

/** The examples of a media object as the document gives them (one `example`, or named `examples`). */
function examplesOf(media: any): any[] {
  if (!media) return [];
  return [...(media.example !== undefined ? [media.example] : []), ...Object.values<any>(media.examples ?? {}).map((e) => e.value)];
}

/** The examples of an operation's JSON body. */
export function bodyExamples(op: any): any[] {
  return examplesOf(jsonMedia(op));
}

/** The examples of an operation's request body, each with its content type. */
export function requestExamples(op: any): { type: string; value: any }[] {
  return Object.entries<any>(op.requestBody?.content ?? {}).flatMap(([type, media]) => examplesOf(media).map((value) => ({ type, value })));
}
