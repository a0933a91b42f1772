// What customers may see of names and phone numbers.

/** Keeps the first character: 李明 → 李*, 玉溪某某食品有限公司 → 玉*********. */
export function maskName(name: string): string {
  const chars = Array.from(name);
  if (chars.length <= 1) return name;
  return chars[0] + '*'.repeat(chars.length - 1);
}

/** Keeps the first three and last four digits of a mobile number: 13800001111 → 138****1111. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 8) return '*'.repeat(digits.length);
  const national = digits.length > 11 && digits.startsWith('86') ? digits.slice(2) : digits;
  return national.slice(0, 3) + '*'.repeat(national.length - 7) + national.slice(-4);
}
