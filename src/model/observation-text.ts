// An observation in one line of words: what a step reported, as the sequence diagrams and the report
// print it.

import { altstackText, type Observation } from './observation.js';

export function observationText(o: Observation | undefined): string {
  if (!o) return '';
  return [
    o.si_code ? `${o.outcome} (${o.si_code})` : o.outcome,
    o.fatal === true ? 'fatal' : '',
    o.handler ? `handler ${o.handler}` : '',
    o.hang ? 'hang (endless refault)' : '',
    o.bitmap ? `bitmap ${o.bitmap}` : '',
    o.tiles ? `tiles ${o.tiles}` : '',
    o.frameHasTiles !== undefined ? `frame tiles ${o.frameHasTiles ? 'yes' : 'no'}` : '',
    o.stack ? `on the ${o.stack === 'altstack' ? 'altstack' : 'thread stack'}` : '',
    o.ss_size !== undefined ? `altstack ${altstackText(o)}` : '',
    o.buffer ? `buffer ${o.buffer}` : '',
    o.leakedBuffers !== undefined ? `leaked ${o.leakedBuffers}` : '',
  ]
    .filter((p) => p !== '')
    .join(', ');
}
