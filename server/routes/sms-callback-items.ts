// The items of a mainland SMS provider's callback batch, checked one by one: the valid ones are applied, a rejected
// one is logged whole at warn (kept for an operator, never silently dropped), and only a batch with nothing valid in
// it is refused, so one bad item does not make the provider retry (or lose) the good ones.
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifySchemaCompiler } from 'fastify';
import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { describeValidationIssue } from '../http-errors.ts';
import { invalid } from '../errors.ts';

/** A batch's length limit: larger bodies are refused whole. */
export const MAX_CALLBACK_ITEMS = 1000;

/**
 * The callback routes' validator: their body schema documents the batch, but the body is checked item by item in
 * the handler (callbackItems); every other part as everywhere else.
 */
export const bodyCheckedByItem: FastifySchemaCompiler<TSchema> = (route) => (route.httpPart === 'body' ? () => true : TypeBoxValidatorCompiler(route));

export function callbackItems<T extends TSchema>(item: T, what: string) {
  const check = Compile(item);
  /** The valid items of `body` (an array, or one item where `single` allows it); throws 400 when none is valid. */
  return (body: unknown, log: FastifyBaseLogger, options: { single?: boolean } = {}): Static<T>[] => {
    const items = Array.isArray(body) ? (body as unknown[]) : options.single && typeof body === 'object' && body !== null ? [body] : null;
    if (items === null) throw invalid(`body must be a JSON array of ${what}`);
    if (items.length > MAX_CALLBACK_ITEMS) throw invalid(`body must have at most ${MAX_CALLBACK_ITEMS} items`);
    const valid: Static<T>[] = [];
    const problems: string[] = [];
    items.forEach((raw, index) => {
      if (check.Check(raw)) {
        valid.push(raw as Static<T>);
        return;
      }
      const problem = describeValidationIssue(`body[${index}]`, check.Errors(raw)[0]!);
      problems.push(problem);
      log.warn({ rejectedItem: raw, problem }, `${what}: an item was rejected and not applied; kept here for an operator`);
    });
    if (valid.length === 0 && items.length > 0) throw invalid(problems[0]!);
    return valid;
  };
}
