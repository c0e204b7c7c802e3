// Stop, resume, clone and delete, each behind a confirmation; shared by the runs table and the run page.
import {h, field} from './dom.js';
import {post, del} from './api.js';
import {confirmDialog} from './confirm.js';

export const ACTIVE = ['QUEUED', 'RUNNING'];

export async function stopRun(run) {
  const ok = await confirmDialog(`Stop ${run.name}?`,
    run.status === 'RUNNING' ? 'The run stops after its current step; it can be resumed from its latest checkpoint.'
      : 'The run leaves the queue; it can be resumed later.', 'Stop run');
  return ok ? post(`/api/runs/${run.id}/stop`) : null;
}

export async function resumeRun(run) {
  const ok = await confirmDialog(`Resume ${run.name}?`, 'The run is queued again and continues from its latest checkpoint.', 'Resume run');
  return ok ? post(`/api/runs/${run.id}/resume`) : null;
}

export async function deleteRun(run) {
  const ok = await confirmDialog(`Delete ${run.name}?`,
    'Its metrics, rollouts, checkpoints and files are deleted. This cannot be undone.', 'Delete run');
  if (!ok) return false;
  await del(`/api/runs/${run.id}`);
  return true;
}

/** Clone with a JSON merge patch: a new name, optionally the tool off (the ZeroRL baseline), any other change. */
export async function cloneRun(run) {
  const name = h('input', {type: 'text', value: `${run.name} (clone)`, required: true});
  const noTool = h('input', {type: 'checkbox'});
  const patch = h('textarea', {rows: 4, spellcheck: false, placeholder: '{"steps": 200}'});
  const extra = h('div', {class: 'stack'},
    field('Name of the new run', name),
    h('div', {class: 'field checkbox'}, noTool, h('label', {for: noTool.id = 'clone-no-tool'}, 'Without the tool (ZeroRL baseline)')),
    field('Other changes (JSON merge patch, optional)', patch));
  const ok = await confirmDialog(`Clone ${run.name}`, 'A new run with this run\'s configuration and the changes below is queued.', 'Clone run', extra);
  if (!ok) return null;
  let body = {};
  if (patch.value.trim()) body = JSON.parse(patch.value);
  body.name = name.value.trim() || `${run.name} (clone)`;
  if (noTool.checked) body.tool = {...(body.tool ?? {}), enabled: false};
  return post(`/api/runs/${run.id}/clone`, body);
}
