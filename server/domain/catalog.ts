// The process catalog (业务流程): which steps each process runs, their limits (办理时限), typical
// durations (经验值) and customer tasks (需客户配合事项). Loaded from data and validated here.

export type StepSide = 'utility' | 'customer';
export type TotalLimitUnit = 'workdays' | 'calendar';

/**
 * When the handler of a step is warned (超时预警): as soon as `remainingWorkdays` working days or `remainingShare` of
 * the step's allowed working time remain, whichever comes first.
 */
export interface WarningRule {
  remainingWorkdays: number;
  remainingShare: number;
}

/** The rule when the catalog states none (DOMAIN.md: 1 working day or 20%). */
export const DEFAULT_WARNING_RULE: WarningRule = { remainingWorkdays: 1, remainingShare: 0.2 };

export interface ProcessStep {
  code: string;
  name: string;
  side: StepSide;
  /** The standard maximum in workdays; null only for customer steps, which the utility does not time. */
  limitWorkdays: number | null;
  typicalWorkdays: number;
  /** How far the planner may compress the step (utility steps only). */
  minWorkdays: number;
  customerTasks: string[];
  /** resolved by validateCatalog: the step's own rule, else its process's, else the catalog's; absent: DEFAULT_WARNING_RULE */
  warning?: WarningRule;
}

export interface TotalLimit {
  days: number;
  unit: TotalLimitUnit;
}

export interface Process {
  code: string;
  name: string;
  /** Bounds the sum of the utility's steps for the whole application. */
  totalLimit: TotalLimit;
  /** In process order. */
  steps: ProcessStep[];
}

export interface Catalog {
  processes: Process[];
}

export const DEFAULT_MIN_WORKDAYS = 1;

const CODE_PATTERN = /^[a-z][a-z0-9_]*$/;

function fail(path: string, problem: string): never {
  throw new Error(`${path} ${problem}`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function object(v: unknown, path: string): Record<string, unknown> {
  if (!isPlainObject(v)) fail(path, 'must be an object');
  return v;
}

function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) fail(path === '' ? key : `${path}.${key}`, 'is not a known field');
  }
}

function text(v: unknown, path: string): string {
  if (typeof v !== 'string' || v.trim() === '') fail(path, 'must be a non-empty string');
  return v;
}

function code(v: unknown, path: string): string {
  if (typeof v !== 'string' || !CODE_PATTERN.test(v)) fail(path, 'must be a code in lower_snake_case');
  return v;
}

function positiveInteger(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) fail(path, 'must be a positive integer');
  return v;
}

interface StepDefinition {
  name: string;
  side: StepSide;
  customerTasks: string[];
}

function stepDefinition(v: unknown, path: string): StepDefinition {
  const obj = object(v, path);
  checkKeys(obj, ['name', 'side', 'customerTasks'], path);
  const side = obj['side'];
  if (side !== 'utility' && side !== 'customer') fail(`${path}.side`, 'must be "utility" or "customer"');
  const tasks = obj['customerTasks'] ?? [];
  if (!Array.isArray(tasks)) fail(`${path}.customerTasks`, 'must be an array of strings');
  return {
    name: text(obj['name'], `${path}.name`),
    side,
    customerTasks: tasks.map((t: unknown, i) => text(t, `${path}.customerTasks[${i}]`)),
  };
}

/** A partial rule: what it states overrides `inherited`. */
function warningRule(v: unknown, path: string, inherited: WarningRule): WarningRule {
  if (v === undefined) return inherited;
  const obj = object(v, path);
  checkKeys(obj, ['remainingWorkdays', 'remainingShare'], path);
  const workdays = obj['remainingWorkdays'];
  if (workdays !== undefined && (typeof workdays !== 'number' || !Number.isFinite(workdays) || workdays < 0)) {
    fail(`${path}.remainingWorkdays`, 'must be a number of working days, 0 or more');
  }
  const share = obj['remainingShare'];
  if (share !== undefined && (typeof share !== 'number' || !(share >= 0 && share < 1))) {
    fail(`${path}.remainingShare`, 'must be a fraction from 0 up to (not including) 1');
  }
  return { remainingWorkdays: workdays ?? inherited.remainingWorkdays, remainingShare: share ?? inherited.remainingShare };
}

function processStep(v: unknown, path: string, definitions: Map<string, StepDefinition>, warning: WarningRule): ProcessStep {
  const obj = object(v, path);
  checkKeys(obj, ['code', 'limitWorkdays', 'typicalWorkdays', 'minWorkdays', 'warning'], path);
  const stepCode = code(obj['code'], `${path}.code`);
  const definition = definitions.get(stepCode);
  if (definition === undefined) fail(`${path}.code`, `"${stepCode}" is not a step defined in steps`);
  const typicalWorkdays = positiveInteger(obj['typicalWorkdays'], `${path}.typicalWorkdays`);
  let limitWorkdays: number | null = null;
  let minWorkdays = typicalWorkdays;
  if (definition.side === 'utility') {
    limitWorkdays = positiveInteger(obj['limitWorkdays'], `${path}.limitWorkdays`);
    if (typicalWorkdays > limitWorkdays) {
      fail(`${path}.typicalWorkdays`, `(${typicalWorkdays}) must not exceed limitWorkdays (${limitWorkdays})`);
    }
    minWorkdays = obj['minWorkdays'] === undefined ? DEFAULT_MIN_WORKDAYS : positiveInteger(obj['minWorkdays'], `${path}.minWorkdays`);
    if (minWorkdays > typicalWorkdays) {
      fail(`${path}.minWorkdays`, `(${minWorkdays}) must not exceed typicalWorkdays (${typicalWorkdays})`);
    }
  } else {
    if (obj['limitWorkdays'] !== undefined && obj['limitWorkdays'] !== null) {
      fail(`${path}.limitWorkdays`, 'must be absent for a customer step (the utility does not time it)');
    }
    // Customer steps are never compressed, so their floor is their typical duration.
    if (obj['minWorkdays'] !== undefined) fail(`${path}.minWorkdays`, 'must be absent for a customer step (never compressed)');
    if (obj['warning'] !== undefined) fail(`${path}.warning`, 'must be absent for a customer step (the utility does not time it)');
  }
  return {
    code: stepCode,
    name: definition.name,
    side: definition.side,
    limitWorkdays,
    typicalWorkdays,
    minWorkdays,
    customerTasks: [...definition.customerTasks],
    warning: warningRule(obj['warning'], `${path}.warning`, warning),
  };
}

function totalLimit(v: unknown, path: string): TotalLimit {
  const obj = object(v, path);
  checkKeys(obj, ['days', 'unit'], path);
  const unit = obj['unit'];
  if (unit !== 'workdays' && unit !== 'calendar') fail(`${path}.unit`, 'must be "workdays" or "calendar"');
  return { days: positiveInteger(obj['days'], `${path}.days`), unit };
}

/**
 * Validates catalog data (`{ steps: { code: definition }, processes: [...] }`) into processes with
 * resolved step lists. Throws an Error whose message starts with the offending path.
 */
export function validateCatalog(json: unknown): Catalog {
  const root = object(json, '(root)');
  checkKeys(root, ['steps', 'processes', 'warning'], '');
  const catalogWarning = warningRule(root['warning'], 'warning', DEFAULT_WARNING_RULE);
  const stepsJson = object(root['steps'], 'steps');
  const definitions = new Map<string, StepDefinition>();
  for (const [stepCode, definition] of Object.entries(stepsJson)) {
    code(stepCode, `steps.${stepCode}`);
    definitions.set(stepCode, stepDefinition(definition, `steps.${stepCode}`));
  }
  const processesJson = root['processes'];
  if (!Array.isArray(processesJson) || processesJson.length === 0) fail('processes', 'must be a non-empty array');
  const processCodes = new Set<string>();
  const processes = processesJson.map((p: unknown, i): Process => {
    const path = `processes[${i}]`;
    const obj = object(p, path);
    checkKeys(obj, ['code', 'name', 'totalLimit', 'steps', 'warning'], path);
    const processWarning = warningRule(obj['warning'], `${path}.warning`, catalogWarning);
    const processCode = code(obj['code'], `${path}.code`);
    if (processCodes.has(processCode)) fail(`${path}.code`, `"${processCode}" is used by an earlier process`);
    processCodes.add(processCode);
    const stepsJsonList = obj['steps'];
    if (!Array.isArray(stepsJsonList) || stepsJsonList.length === 0) fail(`${path}.steps`, 'must be a non-empty array');
    const stepCodes = new Set<string>();
    const steps = stepsJsonList.map((s: unknown, j) => {
      const step = processStep(s, `${path}.steps[${j}]`, definitions, processWarning);
      if (stepCodes.has(step.code)) fail(`${path}.steps[${j}].code`, `"${step.code}" appears twice in the process`);
      stepCodes.add(step.code);
      return step;
    });
    return {
      code: processCode,
      name: text(obj['name'], `${path}.name`),
      totalLimit: totalLimit(obj['totalLimit'], `${path}.totalLimit`),
      steps,
    };
  });
  return { processes };
}

export function findProcess(catalog: Catalog, processCode: string): Process | undefined {
  return catalog.processes.find((p) => p.code === processCode);
}

/** Throws when the process is not in the catalog; use findProcess where absence is expected. */
export function getProcess(catalog: Catalog, processCode: string): Process {
  const process = findProcess(catalog, processCode);
  if (process === undefined) throw new Error(`process "${processCode}" is not in the catalog`);
  return process;
}

/** The step's position in the process, or -1. */
export function stepIndex(process: Process, stepCode: string): number {
  return process.steps.findIndex((s) => s.code === stepCode);
}

export function findStep(process: Process, stepCode: string): ProcessStep | undefined {
  return process.steps.find((s) => s.code === stepCode);
}

/** The step after `stepCode` in process order, or undefined for the last one. */
export function nextStep(process: Process, stepCode: string): ProcessStep | undefined {
  const i = stepIndex(process, stepCode);
  return i < 0 ? undefined : process.steps[i + 1];
}
