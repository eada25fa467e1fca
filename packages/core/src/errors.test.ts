// Unit tests for errors: every code explained, media errors by name, connection failures in words.
import { getLocale, overwriteGetLocale } from '@workbench/i18n/runtime';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ErrorCode,
  WorkbenchError,
  explain,
  explainConnectionFailure,
  explainJoinFailure,
  explainMediaError,
  isWorkbenchError,
} from './errors.js';
import { SignalingErrorCode } from './signaling/protocol.js';

const secure = { isSecureContext: true };

function domError(name: string, message = ''): DOMException {
  return new DOMException(message, name);
}

describe('explainMediaError', () => {
  it.each([
    ['NotAllowedError', ErrorCode.PermissionDenied, /address bar/],
    ['NotFoundError', ErrorCode.DeviceNotFound, /Connect a camera/],
    ['NotReadableError', ErrorCode.DeviceBusy, /Close other apps and tabs/],
    ['SecurityError', ErrorCode.MediaSecurity, /allow="camera; microphone"/],
    ['AbortError', ErrorCode.MediaAborted, /Try again/],
    ['PermissionDeniedError', ErrorCode.PermissionDenied, /address bar/],
    ['TrackStartError', ErrorCode.DeviceBusy, /Close other apps/],
    ['SomethingNewError', ErrorCode.MediaUnknown, /another browser/],
  ])('%s → %s', (name, code, fix) => {
    const explained = explainMediaError(domError(name, 'browser text'), { video: true }, secure);
    expect(explained.code).toBe(code);
    expect(explained.name).toBe(name);
    expect(explained.title.length).toBeGreaterThan(0);
    expect(explained.detail.length).toBeGreaterThan(0);
    expect(explained.fix).toMatch(fix);
  });

  it('names only the device that was asked for: "Camera access denied" for {video: true}', () => {
    const camera = explainMediaError(domError('NotAllowedError', 'denied'), { video: true }, secure);
    expect(camera.title).toBe('Camera access denied');
    expect(camera.fix).toMatch(/allow the camera,/);
    // No camera on a video-only request (the webcam step, /call/): the camera alone, in all three parts.
    const none = explainMediaError(domError('NotFoundError', 'Requested device not found'), { audio: false, video: true }, secure);
    expect(none.title).toBe('No camera found');
    expect(none.detail).toMatch(/no camera of the kind asked for/);
    expect(none.fix).toMatch(/^Connect a camera,/);
    for (const name of ['NotFoundError', 'NotAllowedError', 'NotReadableError', 'AbortError', 'SomethingNewError']) {
      const video = explainMediaError(domError(name), { video: true }, secure);
      expect(`${video.title} ${video.detail} ${video.fix}`, name).not.toMatch(/microphone/i);
      const audio = explainMediaError(domError(name), { audio: true }, secure);
      expect(`${audio.title} ${audio.detail} ${audio.fix}`, name).not.toMatch(/camera/i);
    }
    expect(explainMediaError(domError('NotFoundError'), { audio: true }, secure).fix).toMatch(/^Connect a microphone,/);
    expect(explainMediaError(domError('NotFoundError', 'none'), { audio: true }, secure).title).toBe('No microphone found');
    // Both asked, or nothing said: the wording stays general.
    expect(explainMediaError(domError('NotAllowedError', 'denied'), { audio: true, video: true }, secure).title).toBe('Camera or microphone access denied');
    expect(explainMediaError(domError('NotAllowedError', 'denied'), undefined, secure).title).toBe('Camera or microphone access denied');
  });

  it('names the constraint and the requested value of an OverconstrainedError', () => {
    const error = Object.assign(new Error(''), { name: 'OverconstrainedError', constraint: 'width' });
    const explained = explainMediaError(error, { video: { width: { min: 1280 }, height: { min: 720 } } }, secure);
    expect(explained.code).toBe(ErrorCode.Overconstrained);
    expect(explained.detail).toContain('"width"');
    expect(explained.detail).toContain('{"min":1280}');
    expect(explained.fix).toMatch(/ideal/);
  });

  it('tells the user to pick another device when deviceId cannot be satisfied', () => {
    const error = Object.assign(new Error(''), { name: 'OverconstrainedError', constraint: 'deviceId' });
    const explained = explainMediaError(error, { video: { deviceId: { exact: 'gone' } } }, secure);
    expect(explained.detail).toContain('"gone"');
    expect(explained.fix).toMatch(/pick another/);
  });

  it('explains a TypeError from empty constraints', () => {
    const explained = explainMediaError(new TypeError('At least one of audio and video must be requested'), {}, secure);
    expect(explained.code).toBe(ErrorCode.InvalidConstraints);
    expect(explained.detail).toContain('At least one of audio and video');
  });

  it('blames the insecure origin when mediaDevices is missing or the context is insecure', () => {
    const missing = explainMediaError(
      new TypeError("Cannot read properties of undefined (reading 'getUserMedia')"),
      { video: true },
      { mediaDevicesAvailable: false, origin: 'http://192.168.1.5:3000' },
    );
    expect(missing.code).toBe(ErrorCode.InsecureOrigin);
    expect(missing.detail).toContain('http://192.168.1.5:3000');
    expect(missing.fix).toContain('--https');
    expect(missing.fix).toContain('http://localhost');

    const denied = explainMediaError(domError('NotAllowedError'), { video: true }, { isSecureContext: false });
    expect(denied.code).toBe(ErrorCode.InsecureOrigin);
  });

  it('mentions the insecure-origin case even for a plain denial', () => {
    expect(explainMediaError(domError('NotAllowedError'), undefined, secure).fix).toContain('--https');
  });

  it('survives values that are not errors at all', () => {
    expect(explainMediaError(undefined, undefined, secure).code).toBe(ErrorCode.MediaUnknown);
    expect(explainMediaError('boom', undefined, secure).detail).toContain('boom');
  });
});

describe('explainConnectionFailure', () => {
  it('explains ICE failure, unreachable signaling, full rooms and departed peers in words', () => {
    expect(explainConnectionFailure(ErrorCode.IceFailed).fix).toMatch(/TURN/);
    expect(explainConnectionFailure(ErrorCode.SignalingUnreachable, { url: 'http://localhost:3000' }).detail).toContain(
      'http://localhost:3000',
    );
    expect(explainConnectionFailure(ErrorCode.SignalingUnreachable).fix).toContain('npm start');
    expect(explainConnectionFailure(ErrorCode.RoomFull, { room: 'demo' }).detail).toContain('"demo"');
    expect(explainConnectionFailure(ErrorCode.PeerLeft, { room: 'demo' }).fix).toMatch(/joins the room again/);
  });

  it('accepts a server error payload and a WorkbenchError', () => {
    const fromServer = explainConnectionFailure({ code: 'INVALID_ROOM_NAME', message: 'Invalid room name "a b".' });
    expect(fromServer.detail).toBe('Invalid room name "a b".');
    const error = new WorkbenchError(ErrorCode.RoomFull, undefined, { context: { room: 'r1' } });
    expect(explainConnectionFailure(error)).toBe(error.explanation);
  });
});

describe('WorkbenchError', () => {
  it('carries a stable code, a cause and a message that says what to do', () => {
    const cause = new Error('low level');
    const error = new WorkbenchError(ErrorCode.IceFailed, undefined, { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('WorkbenchError');
    expect(error.code).toBe('ICE_FAILED');
    expect(error.cause).toBe(cause);
    expect(error.message).toContain(error.explanation.fix);
    expect(isWorkbenchError(error, ErrorCode.IceFailed)).toBe(true);
    expect(isWorkbenchError(error, ErrorCode.RoomFull)).toBe(false);
    expect(isWorkbenchError(cause)).toBe(false);
  });

  it('includes every signaling server code unchanged', () => {
    for (const code of Object.values(SignalingErrorCode)) expect(Object.values(ErrorCode)).toContain(code);
  });

  it('has an explanation for every code, with no template holes', () => {
    for (const code of Object.values(ErrorCode)) {
      const explained = explain(code);
      expect(explained.code).toBe(code);
      for (const text of [explained.title, explained.detail, explained.fix]) {
        expect(text.length).toBeGreaterThan(3);
        expect(text).not.toMatch(/undefined|\$\{/);
      }
    }
  });

  it('falls back to a generic explanation for unknown codes', () => {
    expect(explain('NEW_SERVER_CODE', { message: 'Server says no.' })).toMatchObject({
      code: 'NEW_SERVER_CODE',
      detail: 'Server says no.',
    });
  });
});

// In Node paraglide answers in English (the CLI, the server); a page built for zh-CN answers in
// Chinese. Switching the locale here runs the same table as the Chinese page does.
describe('explanations in Chinese', () => {
  const chinese = /[\u4e00-\u9fff]/;
  const english = getLocale;
  beforeEach(() => overwriteGetLocale(() => 'zh-CN'));
  afterEach(() => overwriteGetLocale(english));

  it('explains every code in Chinese (title, detail and fix)', () => {
    for (const code of Object.values(ErrorCode)) {
      const explained = explain(code);
      expect(explained.code).toBe(code);
      for (const text of [explained.title, explained.detail, explained.fix]) expect(text, code).toMatch(chinese);
    }
    expect(explain('NEW_SERVER_CODE').detail).toBe('错误 NEW_SERVER_CODE。');
  });

  it('names the room, in the words validateRoomName uses', () => {
    expect(explain(ErrorCode.RoomFull, { room: 'demo' }).detail).toBe('房间“demo”的人数已经到了上限（两人）。');
    const bad = explainJoinFailure(new WorkbenchError(ErrorCode.InvalidRoomName, 'Invalid room name "bad room!": …', { context: { room: 'bad room!' } }), { room: 'bad room!' });
    expect(bad.title).toBe('房间名无效');
    expect(bad.detail).toBe('房间名 "bad room!" 无效：房间名长 1–64 个字符，只能包含字母、数字、“-”或“_”。');
    expect(explain(ErrorCode.PeerLeft, { room: 'r1' }).detail).toContain('房间“r1”');
    expect(explain(ErrorCode.SignalingUnreachable, { url: 'http://localhost:3000' }).detail).toBe('无法连接到位于 http://localhost:3000 的信令服务器。');
  });

  it('shows the translated sentence, not the server\'s English, for a server refusal', () => {
    const refused = explain(ErrorCode.PayloadTooLarge, { message: 'Message of 70000 bytes is larger than the 65536-byte limit.' });
    expect(refused.detail).toBe('服务器拒绝了一条超出大小上限的消息。');
    // English keeps the server's more specific sentence.
    overwriteGetLocale(english);
    expect(explain(ErrorCode.PayloadTooLarge, { message: 'Message of 70000 bytes is larger than the 65536-byte limit.' }).detail).toMatch(/70000 bytes/);
  });

  it('names only the device asked for, in Chinese too', () => {
    const camera = explainMediaError(domError('NotAllowedError', 'denied'), { video: true }, secure);
    expect(camera.title).toBe('摄像头访问被拒绝');
    expect(camera.fix).toMatch(/允许使用摄像头，/);
    for (const name of ['NotFoundError', 'NotAllowedError', 'NotReadableError', 'AbortError', 'SomethingNewError']) {
      const video = explainMediaError(domError(name), { video: true }, secure);
      expect(`${video.title} ${video.detail} ${video.fix}`, name).not.toMatch(/麦克风/);
      const audio = explainMediaError(domError(name), { audio: true }, secure);
      expect(`${audio.title} ${audio.detail} ${audio.fix}`, name).not.toMatch(/摄像头/);
    }
    expect(explainMediaError(domError('NotFoundError'), { audio: true, video: true }, secure).title).toBe('没有找到摄像头或麦克风');
  });

  it('keeps the constraint, the requested value and the origin as they are', () => {
    const error = Object.assign(domError('OverconstrainedError'), { constraint: 'width' });
    const explained = explainMediaError(error, { video: { width: { min: 1280 } } }, secure);
    expect(explained.detail).toBe('没有任何设备能满足必需的约束“width”（要求的是 {"min":1280}）（OverconstrainedError）。');
    const insecure = explainMediaError(domError('NotAllowedError'), { video: true }, { isSecureContext: false, origin: 'http://192.168.1.5:3000' });
    expect(insecure.code).toBe(ErrorCode.InsecureOrigin);
    expect(insecure.detail).toContain('而这个页面是 http://192.168.1.5:3000');
  });
});
