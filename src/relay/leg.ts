/** A leg of a call: the dialog with one peer (the caller's, or the one sipcase placed toward the callee). */
import type { Dialog } from '../drachtio/engine.js';
import type { Peer } from '../rules/types.js';

export interface Leg {
  readonly peer: Peer;
  readonly dialog: Dialog;
}
