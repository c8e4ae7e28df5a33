/** The `code` a promise rejects with (a vault error's stable code), or 'resolved'. */
export async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    return (error as { code: string }).code;
  }
  return 'resolved';
}
