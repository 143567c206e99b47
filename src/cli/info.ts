import { backendInfo } from '../backend/select.js';

export async function runInfo(): Promise<void> {
  console.log(JSON.stringify(backendInfo(), null, 2));
}
