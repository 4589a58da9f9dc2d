/**
 * Regexes from a rules file run on every message, on input a remote party controls, so one that
 * can backtrack catastrophically would let a single crafted header stall the relay: such a regex
 * is refused at load, like an invalid one.
 */
import safeRegex from 'safe-regex2';

export type RegexResult = { readonly ok: true; readonly regex: RegExp } | { readonly ok: false; readonly message: string };

export function compileRegex(source: string, flags = ''): RegexResult {
  let regex: RegExp;
  try {
    regex = new RegExp(source, flags);
  } catch (e) {
    return { ok: false, message: `invalid regex: ${(e as Error).message}` };
  }
  if (!safeRegex(regex)) {
    return { ok: false, message: `regex ${JSON.stringify(source)} can backtrack catastrophically (nested or overlapping repetition); rewrite it` };
  }
  return { ok: true, regex };
}
