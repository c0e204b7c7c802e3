// A small Python highlighter (keywords, builtins, strings, numbers, comments, function names) and the splitter
// that cuts a model's answer into prose, ```python blocks and ```output blocks. Hand-written because a
// highlighting library would be bigger than the whole dashboard; it only needs to make code readable.
import {h} from './dom.js';

const KEYWORDS = new Set(('False None True and as assert async await break class continue def del elif else except '
  + 'finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case').split(' '));
const BUILTINS = new Set(('abs all any bin bool dict divmod enumerate filter float format int len list map max min '
  + 'next pow print range repr reversed round set sorted str sum tuple zip isinstance math sympy numpy np').split(' '));

// One alternation, tried left to right at each position; group order decides the token class.
const TOKEN = new RegExp([
  String.raw`(#[^\n]*)`,                                                    // 1 comment
  String.raw`([rRbBuUfF]{0,2}(?:"""[\s\S]*?(?:"""|$)|'''[\s\S]*?(?:'''|$)|"(?:\\.|[^"\\\n])*"?|'(?:\\.|[^'\\\n])*'?))`, // 2 string
  String.raw`(\b(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|\d[\d_]*\.?\d*(?:[eE][+-]?\d+)?j?|\.\d+(?:[eE][+-]?\d+)?)\b)`, // 3 number
  String.raw`([A-Za-z_][A-Za-z0-9_]*)`,                                     // 4 name
].join('|'), 'g');

/** Python source -> a <code> element with token spans. */
export function highlightPython(source) {
  const code = h('code', {class: 'language-python'});
  let last = 0;
  let previousName = '';
  for (const match of source.matchAll(TOKEN)) {
    if (match.index > last) code.append(source.slice(last, match.index));
    const [text, comment, string, number, name] = match;
    let kind = null;
    if (comment) kind = 'comment';
    else if (string) kind = 'string';
    else if (number) kind = 'number';
    else if (name) {
      if (KEYWORDS.has(name)) kind = 'keyword';
      else if (previousName === 'def' || previousName === 'class') kind = 'function';
      else if (BUILTINS.has(name)) kind = 'builtin';
      previousName = name;
    }
    code.append(kind ? h('span', {class: `tok-${kind}`}, text) : text);
    last = match.index + text.length;
  }
  if (last < source.length) code.append(source.slice(last));
  return code;
}

/**
 * Splits an answer into [{kind: 'text'|'python'|'output', text, closed}], following the fences the rollout
 * loop writes (```python ... ``` then ```output ... ```). An unclosed block at the end (still streaming, or
 * truncated) is returned with closed=false.
 */
export function splitAnswer(answer) {
  const parts = [];
  const fence = /```(python|output)[^\n]*\n?/g;
  let position = 0;
  let match;
  while ((match = fence.exec(answer)) !== null) {
    if (match.index > position) parts.push({kind: 'text', text: answer.slice(position, match.index)});
    const start = match.index + match[0].length;
    const end = answer.indexOf('```', start);
    if (end < 0) {
      parts.push({kind: match[1], text: answer.slice(start), closed: false});
      return parts;
    }
    parts.push({kind: match[1], text: answer.slice(start, end).replace(/\n$/, ''), closed: true});
    position = end + 3;
    fence.lastIndex = position;
  }
  if (position < answer.length) parts.push({kind: 'text', text: answer.slice(position)});
  return parts;
}

/**
 * An answer rendered: prose as pre-wrapped text, code highlighted, output blocks in their own box. With the
 * sandbox's executions, the n-th output block is marked with the n-th execution's status (an error, a time-out);
 * an output block with no execution behind it is marked as not from the sandbox (the model wrote it itself).
 */
export function renderAnswer(answer, executions) {
  const container = h('div', {class: 'answer'});
  let outputs = 0;
  for (const part of splitAnswer(answer ?? '')) {
    if (part.kind === 'text') container.append(h('div', {class: 'prose'}, part.text));
    else if (part.kind === 'python') container.append(h('pre', {class: 'code-block', 'aria-label': 'Python code'}, highlightPython(part.text)));
    else {
      const execution = executions?.[outputs++];
      const status = execution ? String(execution.status).toLowerCase() : null;
      const mark = !executions ? null : !execution ? 'not from the sandbox' : status === 'ok' ? null : {error: 'error', timeout: 'timed out'}[status] ?? status;
      container.append(h('pre', {class: `output-block${status ? ` status-${status}` : executions ? ' status-fake' : ''}`,
        'aria-label': mark ? `Output shown to the model (${mark})` : 'Output shown to the model'}, part.text),
      mark ? h('span', {class: `badge output-mark status-${status ?? 'error'}`}, mark) : null);
    }
  }
  return container;
}
