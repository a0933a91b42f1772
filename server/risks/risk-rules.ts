// Loads and validates the complaint-risk rules named by RISK_RULES_PATH (a wrong file stops start-up).
import fs from 'node:fs';
import { ConfigError } from '../config.ts';
import { validateRiskRules, type RiskRules } from '../domain/risk.ts';

export function loadRiskRules(file: string): RiskRules {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError('RISK_RULES_PATH', `cannot be read as JSON (${file}): ${(error as Error).message}`);
  }
  try {
    return validateRiskRules(json);
  } catch (error) {
    throw new ConfigError('RISK_RULES_PATH', `names invalid risk rules (${file}): ${(error as Error).message}`);
  }
}
