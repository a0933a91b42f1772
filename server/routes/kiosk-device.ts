// A business-hall kiosk proves it is one with the device key (KIOSK_DEVICE_KEY) in a request header; the kiosk page
// keeps the key the installer gave it (/kiosk#kiosk-key=…) and sends it with every call.
import type { FastifyRequest } from 'fastify';
import { secretMatches } from './sync.ts';

export const KIOSK_KEY_HEADER = 'x-jiedian-kiosk-key';

export function isKioskDevice(request: FastifyRequest, deviceKey: string | null): boolean {
  const presented = request.headers[KIOSK_KEY_HEADER];
  return deviceKey !== null && typeof presented === 'string' && secretMatches(presented, deviceKey);
}
