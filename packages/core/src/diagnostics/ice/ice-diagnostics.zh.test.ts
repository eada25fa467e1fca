// The ICE explanations in Chinese (issue 16): the page is built per language, but core's texts are
// read when a verdict is made, so switching paraglide's locale in Node must switch them, parameters
// and all; and switching back must give the CLI's English again.
import { getLocale, overwriteGetLocale } from '@workbench/i18n/runtime';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decideVerdict, explainIceError, ICE_ERROR_CODES, iceBottomLine, parseIceServerUrl, type ObservedIceError } from './index.js';

const CJK = /[\u4e00-\u9fff]/;
/** Node's own resolver (the base locale, English), put back after each test. */
const nodeGetLocale = getLocale;

function error(errorCode: number, fields: Partial<ObservedIceError> = {}): ObservedIceError {
  return { atMs: 12, errorCode, errorText: 'Unauthorized', url: 'turn:turn.example.org:3478?transport=udp', address: '192.168.1.x', port: 50000, ...fields };
}

describe('ICE explanations in Chinese', () => {
  beforeEach(() => overwriteGetLocale(() => 'zh-CN'));
  afterEach(() => overwriteGetLocale(nodeGetLocale));

  it('explains every icecandidateerror code in Chinese, keeping the RFC reason phrase', () => {
    for (const info of Object.values(ICE_ERROR_CODES)) {
      expect(info.meaning, `${info.code} meaning`).toMatch(CJK);
      expect(info.cause, `${info.code} cause`).toMatch(CJK);
      expect(info.fix, `${info.code} fix`).toMatch(CJK);
    }
    expect(ICE_ERROR_CODES[401]?.name).toBe('Unauthorized');
    expect(explainIceError(error(401))).toMatchObject({ name: 'Unauthorized', meaning: '服务器拒绝了用户名和密码。' });
    // A code not in the table still gets a Chinese class name and meaning.
    expect(explainIceError(error(499))).toMatchObject({ name: '请求错误', meaning: '服务器拒绝了请求。' });
  });

  it('puts the parameters into the Chinese sentences: an expired REST username, the 701 transport', () => {
    const nowMs = Date.parse('2026-12-06T12:00:00Z');
    const expired = explainIceError(error(401), { username: `${nowMs / 1000 - 90}:alice`, nowMs });
    expect(expired.note).toBe('这个用户名是 TURN REST 凭据，已于 2026-12-06T11:58:30Z 过期（90 秒前）：请重新获取凭据。');

    const auth = decideVerdict({ kind: 'turn', transport: 'udp', candidates: [], errors: [error(401)], elapsedMs: 20, budgetMs: 5000 });
    expect(auth).toMatchObject({ kind: 'auth-failed', title: '身份验证失败（401 Unauthorized）' });
    expect(auth?.detail).toContain('可能的原因：');

    const refused = decideVerdict({
      kind: 'turn',
      transport: 'tcp',
      candidates: [],
      errors: [error(701, { errorText: 'TCP connection could not be established', url: 'turn:127.0.0.1:9?transport=tcp' })],
      elapsedMs: 20,
      budgetMs: 5000,
    });
    expect(refused?.title).toBe('无法连通（TCP 上的 701）');
    expect(refused?.detail).toBe('浏览器无法与服务器建立 TCP 连接：连接被拒绝（该端口上没有程序在监听），或被防火墙拒绝。浏览器给出的信息：“TCP connection could not be established”。');

    const silent = decideVerdict({ kind: 'stun', transport: 'udp', candidates: [], errors: [], elapsedMs: 5000, budgetMs: 5000 });
    expect(silent?.title).toBe('无法连通：5 秒内没有应答');

    const mapped = decideVerdict({
      kind: 'stun',
      transport: 'udp',
      candidates: [{ atMs: 30, candidate: 'candidate:1 1 udp 1677729535 203.0.113.7 54321 typ srflx raddr 0.0.0.0 rport 0', url: 'stun:stun.example.org:3478' }],
      errors: [],
      elapsedMs: 30,
      budgetMs: 5000,
    });
    expect(mapped?.title).toBe('可连通：映射地址 203.0.113.7:54321');
  });

  it('writes the bottom line and URL mistakes in Chinese', () => {
    const check = (id: string, transport: 'udp' | 'tcp', kind: 'relay-allocated' | 'unreachable') => ({
      id,
      serverId: 's1',
      url: id,
      serverUrl: id,
      kind: 'turn' as const,
      transport,
      status: kind === 'relay-allocated' ? ('success' as const) : ('failed' as const),
      startedAtMs: 0,
      verdict: { kind, atMs: 10, title: '', detail: '' },
      candidates: [],
      errors: [],
    });
    expect(iceBottomLine({ checks: [check('turn:a?transport=udp', 'udp', 'relay-allocated'), check('turn:a?transport=tcp', 'tcp', 'relay-allocated')], loopbacks: [] })).toEqual({
      tone: 'success',
      sentence: '大多数网络之间的通话都能成功：基于 UDP和TCP 的 TURN 能中继数据。',
    });
    expect(() => parseIceServerUrl('turn:host:99999')).toThrow('“turn:host:99999”不是 STUN/TURN URL：端口 99999 超出范围（1–65535）。');
  });

  it('is English again once the locale is back, as the CLI reads it', () => {
    overwriteGetLocale(nodeGetLocale);
    expect(explainIceError(error(401)).meaning).toBe('The server refused the username and password.');
    expect(decideVerdict({ kind: 'stun', transport: 'udp', candidates: [], errors: [], elapsedMs: 5000, budgetMs: 5000 })?.title).toBe('Unreachable: no answer within 5 s');
  });
});
