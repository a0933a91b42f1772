// What customers may see of names and phone numbers.

/** Keeps the first character: 李明 → 李*, 玉溪某某食品有限公司 → 玉*********. */
export function maskName(name: string): string {
  const chars = Array.from(name);
  if (chars.length <= 1) return name;
  return chars[0] + '*'.repeat(chars.length - 1);
}

/**
 * Whether a customer's name is an organisation's (玉溪某某食品有限公司, 红塔区某某小学) or a person's, so a page can greet
 * a person by the first character of the name and an organisation by what it is, not as if 玉 were a surname.
 */
export function customerKind(name: string): 'person' | 'organisation' {
  return /公司|集团|企业|厂|店|行$|商行|超市|市场|中心|学校|小学|中学|大学|学院|幼儿园|医院|卫生院|诊所|酒店|宾馆|饭店|餐厅|银行|合作社|委员会|村委|居委|政府|局$|所$|院$|馆$|站$|场$|部$|处$|队$|社$|协会|物业|工作室|事务所|基地|农场|养殖|车间|工地|项目/.test(name)
    ? 'organisation'
    : 'person';
}

/** Keeps the first three and last four digits of a mobile number: 13800001111 → 138****1111. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 8) return '*'.repeat(digits.length);
  const national = digits.length > 11 && digits.startsWith('86') ? digits.slice(2) : digits;
  return national.slice(0, 3) + '*'.repeat(national.length - 7) + national.slice(-4);
}
