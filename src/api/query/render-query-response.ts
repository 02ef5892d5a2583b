/**
 * A successful Query response, as IAM and STS send it and botocore parses it:
 * `<GetUserResponse xmlns="..."><GetUserResult>members</GetUserResult><ResponseMetadata>
 * <RequestId>id</RequestId></ResponseMetadata></GetUserResponse>`.
 */
import { escapeXml } from './escape-xml.js';
import type { QueryModel } from './query-model.js';
import { renderQueryMembers } from './render-query-value.js';

/** Renders `output` of `operation` as the service's XML response document. */
export function renderQueryResponse(
  model: QueryModel,
  operation: string,
  output: unknown,
  requestId: string,
): string {
  const out = [`<${operation}Response xmlns="${escapeXml(model.xmlNamespace)}">`];
  const shape = model.outputShape(operation);
  if (shape !== undefined) {
    const wrapper = model.traits.resultWrapper(operation);
    // An operation may return nothing even where the model has an output (all optional).
    const value = output === undefined || output === null ? {} : output;
    if (wrapper !== undefined) out.push(`<${wrapper}>`);
    renderQueryMembers(shape, value, model.traits, out);
    if (wrapper !== undefined) out.push(`</${wrapper}>`);
  }
  out.push(`<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata>`);
  out.push(`</${operation}Response>`);
  return out.join('');
}
