// The new-run form's presets. "Mini ZeroTIR on CPU" is examples/mini-zerotir.json (a browser test keeps them equal); the
// baseline is the same run without the tool (the paper's ZeroRL comparison); the Qwen preset trains a local
// Qwen2.5 base model directory on MATH with the paper's template.

const MINI = {
  name: 'mini ZeroTIR',
  model: {path: 'models/mini-base'},
  template: 'mini',
  data: {train: 'arithmetic', arithmeticMinDigits: 2, arithmeticMaxDigits: 3, arithmeticOperations: 1,
    arithmeticOperators: '*', problems: 5000, heldOut: 100},
  algorithm: {name: 'reinforce_pp_baseline', learningRate: 1e-5, microBatch: 32},
  rollout: {promptsPerStep: 16, samplesPerPrompt: 8, maxResponseTokens: 96, temperature: 1.0},
  tool: {enabled: true, callBudget: 2, maxOutputTokens: 64},
  steps: 60,
  seed: 1,
  checkpointEvery: 10,
  rolloutsKeptPerStep: 4,
};

export const PRESETS = [
  {id: 'mini-zerotir', label: 'Mini ZeroTIR on CPU', document: MINI},
  {id: 'zerorl-baseline', label: 'ZeroRL baseline (no tool)',
    document: {...MINI, name: 'mini ZeroRL (no tool)', tool: {...MINI.tool, enabled: false}}},
  {id: 'qwen-local', label: 'Qwen2.5 from a local directory', document: {
    name: 'Qwen2.5-0.5B ZeroTIR',
    model: {path: '/models/Qwen2.5-0.5B'},
    template: 'zerotir',
    data: {train: '../shared/data/math_train.jsonl', heldOut: 200},
    algorithm: {name: 'reinforce_pp_baseline', learningRate: 1e-6},
    rollout: {promptsPerStep: 16, samplesPerPrompt: 8, maxResponseTokens: 1024, temperature: 1.0},
    tool: {enabled: true, callBudget: 2},
    steps: 100,
    checkpointEvery: 20,
  }},
];
