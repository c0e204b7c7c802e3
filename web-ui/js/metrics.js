// The per-step metric names of DESIGN.md §7, as org.zerotir.rl.MetricNames spells them (that class is the one
// list; this mirrors it for the browser), and the run page's charts.

export const PER_STEP = [
  'accuracy', 'reward/mean', 'tool/code_ratio', 'tool/calls_per_response', 'tool/error_rate', 'tool/fake_output_rate',
  'tool/infra_failures', 'response/length_mean', 'response/truncated_ratio', 'response/no_answer_ratio', 'policy/kl',
  'policy/entropy', 'policy/clip_low', 'policy/clip_high', 'policy/grad_norm', 'policy/lr', 'critic/value_loss',
  'critic/explained_variance', 'throughput/gen_tokens_per_s', 'throughput/train_tokens_per_s', 'time/gen_s',
  'time/exec_s', 'time/train_s',
];

/** The run page's charts: a title and the metrics drawn together against step. */
export const RUN_CHARTS = [
  {title: 'Accuracy', metrics: ['accuracy']},
  {title: 'Code-use ratio', metrics: ['tool/code_ratio']},
  {title: 'Calls per response', metrics: ['tool/calls_per_response']},
  {title: 'Response length (tokens)', metrics: ['response/length_mean']},
  {title: 'Reward', metrics: ['reward/mean']},
  {title: 'KL to the initial model', metrics: ['policy/kl']},
  {title: 'Entropy', metrics: ['policy/entropy']},
  {title: 'Clip fraction', metrics: ['policy/clip_low', 'policy/clip_high']},
  {title: 'Grad norm', metrics: ['policy/grad_norm']},
  {title: 'Tokens/s per phase', metrics: ['throughput/gen_tokens_per_s', 'throughput/train_tokens_per_s']},
];

export const CHART_METRICS = RUN_CHARTS.flatMap(chart => chart.metrics);

/** The runs table's columns that come from metrics. */
export const TABLE_METRICS = ['accuracy', 'tool/code_ratio', 'throughput/gen_tokens_per_s'];
