"""The human side of every problem code: a title in Chinese and in English.

Codes come from the domain and application errors (``code = ...``) and from the
API itself. A code without an entry of its own falls back to its error class's
entry (``token-stale`` → ``token-rejected``), but every code raised anywhere in
``src`` has its own entry (a test reads the sources to make sure).

``status`` overrides the status the error's class would give, where that would
mislead (a location outside the fence is forbidden, not a conflict).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MESSAGES", "Message", "message_for"]


@dataclass(frozen=True)
class Message:
    zh: str
    en: str
    status: int | None = None
    zh_detail: str | None = None


def message_for(code: str, *fallbacks: str) -> Message | None:
    for candidate in (code, *fallbacks):
        found = MESSAGES.get(candidate)
        if found is not None:
            return found
    return None


M = Message

MESSAGES: dict[str, Message] = {
    # Classes of error (the fallbacks).
    "error": M("请求未能完成", "The request could not be completed"),
    "domain-error": M("操作不符合业务规则", "The request breaks a rule of the domain"),
    "invalid-value": M("提交的数据不符合要求", "A value in the request is not valid"),
    "not-allowed": M("当前状态下不允许此操作", "This is not allowed in the current state"),
    "outside-window": M("不在允许的时间范围内", "Outside the time this is allowed in"),
    "already-closed": M("该事项已结束或已关闭", "This has already ended or been closed"),
    "capacity-reached": M("名额已满", "No place is left"),
    "reason-required": M("请填写原因", "A reason is required"),
    "token-rejected": M("二维码无效", "The QR code was not accepted"),
    "application-error": M("请求未能完成", "The request could not be completed"),
    "not-found": M("未找到", "Not found", status=404),
    "conflict": M("与其他操作冲突", "The request conflicts with another change"),
    "concurrent-change": M(
        "数据刚被其他操作修改，请重试", "Someone else changed this just now; try again"
    ),
    "already-taken": M("该值已被占用", "This value is already in use"),
    "credentials-rejected": M("手机号或密码不正确", "The phone number or the password is wrong"),
    # The API's own.
    "invalid-request": M("请求格式不正确", "The request is malformed", status=400),
    "not-authenticated": M("请先登录", "Log in first", status=401),
    "forbidden": M("没有权限执行此操作", "You may not do this", status=403),
    "no-such-route": M("没有这个接口", "There is no such route", status=404),
    "method-not-allowed": M("不支持此请求方法", "This method is not allowed here", status=405),
    "body-too-large": M("请求内容过大", "The request body is too large", status=413),
    "unsupported-media-type": M("不支持的内容类型", "Unsupported media type", status=415),
    "rate-limited": M("操作过于频繁，请稍后再试", "Too many requests; try again later", status=429),
    "internal-error": M("服务器内部错误", "Something went wrong on our side", status=500),
    "access-token-invalid": M("登录已失效，请重新登录", "Your log-in has expired", status=401),
}
