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
    "log-in-delayed": M(
        "该手机号密码错误次数过多，请稍后再试",
        "Too many wrong passwords for this number; try again later",
        status=429,
    ),
    "busy": M("服务器繁忙，请稍后再试", "The server is busy; try again shortly", status=503),
    "internal-error": M("服务器内部错误", "Something went wrong on our side", status=500),
    "service-unavailable": M(
        "服务暂时不可用，请稍后再试",
        "The service is briefly unavailable; try again shortly",
        status=503,
    ),
    "cjk-font-missing": M(
        "服务器未安装中文字体（fonts-noto-cjk），暂时无法生成 PDF",
        "The server lacks its Chinese font (fonts-noto-cjk); PDF files cannot be made",
        status=503,
        zh_detail="服务器缺少中文字体（请安装 fonts-noto-cjk 软件包，或设置 GRASSROOTS_CJK_FONT）",
    ),
    "text-control-character": M(
        "文字中含有控制字符或文字方向控制符",
        "The text contains control characters or bidirectional overrides",
    ),
    "problem-type-unknown": M("没有这种问题类型", "There is no such problem type", status=404),
    "access-token-invalid": M("登录已失效，请重新登录", "Your log-in has expired", status=401),
    # The QR code's failures, in the words of the volunteer holding the phone.
    "token-malformed": M(
        "无法识别该二维码，请重新扫码", "The QR code could not be read; scan again"
    ),
    "token-not-text": M("无法识别该二维码，请重新扫码", "The QR code is not text; scan again"),
    "token-wrong-length": M(
        "二维码不完整，请重新扫码", "The QR code has the wrong length; scan again"
    ),
    "token-alphabet": M(
        "二维码内容有误，请重新扫码", "The QR code has stray characters; scan again"
    ),
    "token-not-base32": M(
        "二维码内容有误，请重新扫码", "The QR code could not be decoded; scan again"
    ),
    "token-version-unknown": M("不支持该版本的二维码", "This version of QR code is not supported"),
    "token-kind-unknown": M("无法识别的二维码类型", "The QR code names an unknown kind of place"),
    "token-forged": M("二维码无效，请扫描现场展示的二维码", "This QR code was not issued by us"),
    "token-expired": M("二维码已过期，请重新扫码", "The QR code has expired; scan again"),
    "token-stale": M("二维码已过期，请重新扫码", "The QR code has expired; scan the screen again"),
    "token-from-future": M(
        "二维码时间异常，请重新扫码", "The QR code is from a later time; scan again"
    ),
    "token-other-subject": M("这不是此处的二维码", "The QR code is for somewhere else"),
    "token-other-kind": M(
        "二维码类型不符，请扫描正确的二维码", "The QR code is for another kind of place"
    ),
    "token-other-activity": M("这是其他活动的二维码", "The QR code is for another activity"),
    "token-other-point": M("这是其他联系点的二维码", "The QR code is for another grassroots point"),
    "token-step-invalid": M("二维码信息有误，请重新扫码", "The QR code's time step is not valid"),
    "qr-subject-kind-unknown": M("二维码对应的对象类型未知", "Unknown kind of QR subject"),
    "qr-subject-id-invalid": M("二维码对应的编号不正确", "A QR subject is named by a UUID"),
    "instant-out-of-range": M("时间或日期超出可用范围", "The time or date is out of range"),
    # A bad secret or rotation period is the server's configuration, not the
    # caller's request: 422 would send them looking for a mistake they did not make.
    "qr-secret-too-short": M(
        "二维码服务配置有误，请联系管理员", "The QR secret is misconfigured", status=500
    ),
    "qr-rotation-invalid": M(
        "二维码服务配置有误，请联系管理员", "The QR rotation period is misconfigured", status=500
    ),
    # Accounts and sessions.
    "password-too-short": M("密码至少需要8位", "The password is too short"),
    "password-too-long": M("密码太长", "The password is too long"),
    "phone-invalid": M("请输入正确的手机号", "Enter a valid mainland mobile number"),
    "phone-taken": M("该手机号已注册", "This phone number is already registered"),
    # Refused entry, not a clash with the record: the client must log in again
    # (401) or give up (403), and a 409 would invite a retry.
    # A revoked access token, and a refresh token that is replayed, unknown or
    # of an ended session: the client's way forward is the log-in form, and the
    # wrong-password message would send the person looking for a typing mistake.
    "session-ended": M(
        "登录已失效，请重新登录", "Your session has ended; log in again", status=401
    ),
    "account-disabled": M("账号已停用，请联系管理员", "This account has been disabled", status=403),
    "account-not-disabled": M("该账号未被停用", "This account is not disabled"),
    "grant-invalid": M("角色授权设置不正确", "The role grant is not valid"),
    "grant-missing": M("请至少分配一个角色", "Give the account at least one role"),
    "grant-not-held": M("该账号没有此角色", "The account does not hold this role"),
    "grant-last": M(
        "账号至少保留一个角色，如需停用请直接停用账号",
        "An account keeps at least one role; disable it instead",
    ),
    # Both come from the server's own settings and hashing, never from a request.
    "hash-invalid": M("账号数据异常，请联系管理员", "A stored secret is not valid", status=500),
    "lifetime-invalid": M(
        "登录有效期配置有误，请联系管理员", "The session lifetime is misconfigured", status=500
    ),
    # Volunteers.
    "birth-date-invalid": M("出生日期不正确", "The birth date is not valid"),
    "volunteer-suspended": M("该志愿者已被暂停服务", "The volunteer is suspended"),
    "volunteer-not-suspended": M("该志愿者未被暂停服务", "The volunteer is not suspended"),
    # Activities and signing up.
    "activity-cancelled": M("活动已取消", "The activity has been cancelled"),
    "activity-started": M("活动已开始，无法再修改或取消报名", "The activity has already started"),
    "activity-check-in-open": M(
        "已开放签到，不能再调整活动时间", "Check-in has opened; the schedule can no longer change"
    ),
    "activity-ended": M("活动已结束", "The activity has already ended"),
    "activity-not-started": M("活动尚未开始，暂不能补录", "The activity has not started yet"),
    "activity-not-ended": M("活动尚未结束", "The activity has not ended yet"),
    "activity-end-before-start": M("结束时间须晚于开始时间", "The end must come after the start"),
    "activity-too-long": M(
        "活动时长不能超过 24 小时；跨天的活动请每天发布一项",
        "An activity lasts at most 24 hours; post a longer event as one activity a day",
    ),
    "activity-starts-in-past": M("开始时间须晚于当前时间", "The activity must start in the future"),
    "capacity-invalid": M("名额须为1到10000之间的整数", "The capacity is not valid"),
    "capacity-conflicting": M(
        "设置名额与不限名额只能选一项", "Give a capacity or lift the limit, not both"
    ),
    "capacity-below-signed-up": M(
        "名额不能少于已报名人数", "The capacity is below the number already signed up"
    ),
    "still-wait-listed": M(
        "您在候补名单中，暂未获得名额", "You are on the waiting list and have no place yet"
    ),
    "not-signed-up": M("请先报名该活动", "Sign up for this activity first"),
    "not-on-activity-list": M(
        "只能为报名（含候补）该活动的志愿者补录时长",
        "Only a volunteer on this activity's list (signed up or waiting) can be added",
    ),
    # Checking in and out, and the minutes credited.
    "check-in-too-early": M("签到尚未开始，请稍后再试", "Check-in has not opened yet"),
    "check-in-after-end": M("活动已结束，无法签到", "The activity has ended; check-in is closed"),
    "checked-in-elsewhere": M(
        "您已在其他活动签到，请先签退", "You are checked in at another activity; check out first"
    ),
    "not-checked-in": M("您尚未签到", "There is no check-in for this"),
    # A missing or imprecise location is put right by the caller (turn on the
    # location, step outside); one outside the fence is refused outright.
    "location-required": M("请提供位置信息", "A location is required", status=422),
    "location-too-imprecise": M(
        "定位不够精确，请到开阔处重试",
        "Your location is too imprecise; try again in the open",
        status=422,
    ),
    "outside-geofence": M(
        "当前位置不在签到范围内", "Your location is outside the allowed area", status=403
    ),
    "proof-unknown": M("不支持的签到方式", "Unknown proof of presence"),
    "device-id-too-long": M("设备标识过长", "The device id is too long"),
    "accuracy-invalid": M("定位精度数值不正确", "The location accuracy is not valid"),
    "accuracy-without-location": M("提供定位精度时须同时提供位置", "An accuracy needs a location"),
    "attendance-closed": M("该签到记录已结束", "The attendance is already closed"),
    "attendance-auto-closed": M(
        "已按活动结束时间自动签退", "The attendance was closed automatically at the scheduled end"
    ),
    "attendance-still-open": M(
        "尚未签退，暂不能调整服务时长", "The attendance is still open; adjust it once it closes"
    ),
    "check-out-before-check-in": M(
        "签退时间不能早于签到时间", "A check-out cannot come before the check-in"
    ),
    "added-minutes-invalid": M(
        "补录时长至少为1分钟", "An added attendance credits at least a minute"
    ),
    "adjustment-zero": M("调整的时长不能为0", "An adjustment changes at least one minute"),
    "minutes-invalid": M("时长须为整数分钟", "Minutes must be a whole number"),
    # The staff member fixes the number they typed; nothing else changed under them.
    "credit-above-scheduled-length": M(
        "服务时长不能超过活动计划时长",
        "The credit cannot exceed the activity's scheduled length",
        status=422,
    ),
    "credit-below-zero": M(
        "调整后的服务时长不能少于0", "The credit cannot fall below zero", status=422
    ),
    "grace-negative": M("宽限时间不能为负数", "The grace period must not be negative"),
    "check-in-margin-negative": M(
        "提前签到时间不能为负数", "The check-in margin must not be negative"
    ),
    # Organisation, centers and grassroots points.
    "org-unit-cycle": M("不能将组织调整到其自身之下", "A unit cannot be moved under itself"),
    "org-unit-parent-invalid": M("上级组织的层级不正确", "The parent unit is at the wrong level"),
    "center-closed": M("该青年之家已关闭", "The youth center is closed"),
    "point-retired": M("该联系点已停用", "The grassroots point is retired"),
    "geofence-radius-invalid": M(
        "签到范围须在10到5000米之间", "The geofence radius must be between 10 and 5000 metres"
    ),
    "latitude-invalid": M("纬度超出范围", "The latitude is out of range"),
    "longitude-invalid": M("经度超出范围", "The longitude is out of range"),
    "time-zone-unknown": M("未知的时区", "Unknown time zone"),
    "naive-datetime": M("时间缺少时区信息", "A time must carry a time zone"),
    "reason-too-long": M("原因太长，请精简后再提交", "The reason is too long"),
    # Cadres, their contacts and visits.
    "cadre-kind-invalid": M("干部类型不正确", "Unknown cadre kind"),
    "points-duplicated": M("联系点有重复", "A grassroots point is listed twice"),
    "points-too-many": M("每名干部最多分配5个联系点", "Too many grassroots points for one cadre"),
    "contact-already-listed": M("该青年已在联系名单中", "This youth is already on the list"),
    "contact-not-listed": M("该青年不在您的联系名单中", "This youth is not on the cadre's list"),
    "visit-proof-required": M(
        "请扫描联系点二维码或开启定位", "Scan the point's QR code or share your location"
    ),
    # Another cadre's visit or problem is theirs to act on: forbidden, not a clash.
    "visit-not-yours": M("这是其他干部的走访记录", "This visit is another cadre's", status=403),
    "visit-ended": M("本次走访已结束", "The visit has ended"),
    "visit-under-way": M(
        "您在另一个联系点的走访还未结束，请先结束它",
        "Your visit at another point is still under way; end it first",
    ),
    "visit-log-full": M("本次走访的工作记录已满", "The work log of this visit is full"),
    "before-visit-start": M("时间不能早于走访开始时间", "This is before the visit started"),
    "end-before-last-entry": M(
        "结束时间不能早于最后一条工作记录", "A visit cannot end before its last recorded work"
    ),
    "visit-end-before-start": M(
        "走访结束时间不能早于开始时间", "A visit cannot end before it started"
    ),
    "visit-proof-invalid": M("走访凭证类型不正确", "The visit's proof is not valid"),
    "visit-duplicated": M("走访记录重复", "A visit is listed twice"),
    "period-invalid": M("统计周期不正确", "The period is not valid"),
    # Problems raised from the grassroots.
    "problem-unanswered": M("请先答复问题再关闭", "Answer the problem before closing it"),
    "problem-closed": M("该问题已关闭", "The problem is closed"),
    "problem-not-closed": M(
        "只有已关闭的问题才能重新打开", "Only a closed problem can be reopened"
    ),
    "problem-not-yours": M(
        "只有提出问题的干部才能重新打开",
        "Only the cadre who raised the problem can reopen it",
        status=403,
    ),
    # Experience sharing (心得交流).
    "experience-text-empty": M("请填写心得正文", "The post's text is empty"),
    "experience-text-too-long": M("心得正文太长", "The post's text is too long"),
    "experience-about-both": M(
        "一篇心得只能关联一次走访或一个活动", "A post is about one visit or one activity"
    ),
    "experience-not-yours": M(
        "只有作者本人才能修改或撤回心得", "Only the author may change a post", status=403
    ),
    "experience-withdrawn": M("该心得已撤回", "The post has been withdrawn"),
    "experience-hidden": M("该心得已被隐藏", "The post has been hidden"),
    "author-kind-invalid": M("作者身份不正确", "The author's kind is not valid"),
    "author-not-in-role": M(
        "请以团干部或青年之家工作人员身份发布", "Write as a cadre or as a center's staff"
    ),
    "comment-empty": M("请填写评论内容", "The comment is empty"),
    "comment-too-long": M("评论内容太长", "The comment is too long"),
    "photo-not-an-image": M(
        "上传的文件不是图片（支持 JPEG、PNG、WebP）", "The file is not a JPEG, PNG or WebP image"
    ),
    "photo-too-large": M("图片太大", "The photo is too large", status=413),
    "photo-too-many": M("图片数量已达上限", "The post holds as many photos as it may"),
    "photo-not-on-post": M("该心得没有这张图片", "The post has no such photo"),
    "photo-missing": M("上传时请附带一张图片", "Send one photo in the field named photo"),
    # Rule sets for cadres' visits.
    "rule-set-effective-from-invalid": M("生效日期不正确", "The effective-from date is not valid"),
    "rule-set-revision-out-of-order": M(
        "新版本的生效日期须晚于当前最新版本", "A revision must take effect after the latest version"
    ),
    "rule-set-versions-ambiguous": M(
        "有两个版本在同一天生效", "Two versions take effect on the same day"
    ),
    "rule-terms-source-invalid": M(
        "请在规则内容和预设方案中选择一项", "Give exactly one source of rule terms"
    ),
    "rule-set-version-not-found": M("该考核规则没有这个版本", "The rule set has no such version"),
    "rule-terms-malformed": M("考核规则格式不正确", "The rule terms are malformed"),
    "rule-terms-no-requirement": M(
        "请至少设置一项月度或年度要求", "Set at least one monthly or yearly minimum"
    ),
    "rule-terms-mode-invalid": M("月度考核方式不正确", "The monthly mode is not valid"),
    "rule-terms-count-invalid": M("次数或天数要求超出范围", "A minimum count is out of range"),
    "rule-terms-min-visit-minutes-invalid": M(
        "单次走访最短时长超出范围", "The minimum visit length is out of range"
    ),
    "rule-terms-flag-invalid": M("开关项只能为是或否", "A switch must be true or false"),
    "rule-terms-targets-invalid": M("联系青年人数目标不正确", "The contact targets are not valid"),
    "rule-terms-targets-incomplete": M(
        "请为每类干部设置联系青年人数目标", "Contact targets are missing for some cadre kinds"
    ),
    # Text fields (require_text's "<field>-empty" and "<field>-too-long").
    "name-empty": M("请填写名称或姓名", "A name is required"),
    "name-too-long": M("名称或姓名太长", "The name is too long"),
    "title-empty": M("请填写标题", "A title is required"),
    "title-too-long": M("标题太长", "The title is too long"),
    "category-empty": M("请填写活动类别", "A category is required"),
    "category-too-long": M("活动类别太长", "The category is too long"),
    "address-empty": M("请填写地址", "An address is required"),
    "address-too-long": M("地址太长", "The address is too long"),
    "description-empty": M("请填写问题描述", "A description is required"),
    "description-too-long": M("描述内容太长", "The description is too long"),
    "answer-empty": M("请填写答复内容", "An answer is required"),
    "answer-too-long": M("答复内容太长", "The answer is too long"),
    "text-empty": M("请填写工作记录内容", "The work log entry is empty"),
    "text-too-long": M("工作记录内容太长", "The work log entry is too long"),
    # The field's own name, underscore and all, is in the code.
    "walk_of_life-empty": M("请填写身份或职业", "A walk of life is required"),
    "walk_of_life-too-long": M("身份或职业太长", "The walk of life is too long"),
    # Certificates of volunteer service.
    "certificate-period-invalid": M(
        "证明期间的结束日期早于开始日期", "The period ends before it starts"
    ),
    "certificate-period-too-long": M("证明期间最长一年", "A certificate covers at most a year"),
    "certificate-period-in-future": M(
        "证明期间不能晚于今天", "The period must not end after today"
    ),
    "certificate-empty": M(
        "该期间没有可证明的志愿服务时长", "No credited service in the period to certify"
    ),
    "certificate-serial-invalid": M("证明编号格式不正确", "Not a certificate serial"),
    "certificate-line-outside-period": M(
        "有服务记录不在证明期间内", "A line falls outside the period"
    ),
    "certificate-digest-invalid": M("证明摘要格式不正确", "Not a SHA-256 digest"),
    "certificate-not-reproducible": M(
        "该证明暂时无法重新生成，请联系管理员",
        "The certificate no longer renders the PDF issued",
        status=500,
    ),
    # Records not found ("<kind>-not-found").
    "account-not-found": M("未找到该账号", "No such account"),
    "activity-not-found": M("未找到该活动", "No such activity"),
    "attendance-not-found": M("未找到该签到记录", "No such attendance"),
    "cadre-not-found": M("未找到该干部", "No such cadre"),
    "certificate-not-found": M("未找到该志愿服务证明", "No such certificate"),
    "demo-organisation-not-found": M("这不是演示数据", "This store holds no demo organisation"),
    "center-not-found": M("未找到该青年之家", "No such youth center"),
    "experience-post-not-found": M("未找到该心得", "No such experience post"),
    "photo-not-found": M("未找到该图片", "No such photo"),
    "grassroots-point-not-found": M("未找到该联系点", "No such grassroots point"),
    "ledger-line-not-found": M("未找到该服务时长记录", "No such line in the service ledger"),
    "org-unit-not-found": M("未找到该组织", "No such organisational unit"),
    "phone-claim-not-found": M("未找到该手机号的登记记录", "No such phone registration"),
    "presence-not-found": M("未找到在场记录", "No such presence record"),
    "cadre-presence-not-found": M("未找到干部的在场记录", "No such record of a cadre's presence"),
    "problem-not-found": M("未找到该问题", "No such problem"),
    "rule-set-not-found": M("未找到该考核规则", "No such rule set"),
    "session-not-found": M("未找到该登录会话", "No such session"),
    "visit-not-found": M("未找到该走访记录", "No such visit"),
    "volunteer-not-found": M("未找到该志愿者", "No such volunteer"),
    # Surveys (调研问卷) and their answers.
    "survey-not-found": M("未找到该问卷", "No such survey", status=404),
    "question-not-found": M(
        "问卷中没有这道填空题", "The survey asks no such text question", status=404
    ),
    "survey-answer-not-found": M("未找到该答卷", "No such answer", status=404),
    "survey-answer-missing": M("有必答题尚未作答", "A required question is unanswered"),
    "survey-question-unknown": M("问卷中没有这道题", "The survey asks no such question"),
    "survey-answer-malformed": M("答案的格式与题型不符", "An answer does not fit its question"),
    "survey-choice-not-offered": M("所选选项不在题目中", "A choice the question does not offer"),
    "survey-number-out-of-range": M("填写的数字超出范围", "A number is out of range"),
    "survey-rating-out-of-range": M("评分须在 1 到 5 之间", "A rating is from 1 to 5"),
    "survey-not-open": M("问卷尚未开放", "The survey is not open yet"),
    "survey-closed": M("问卷已结束", "The survey is closed"),
    "survey-answered-today": M(
        "本设备今天已经提交过答卷", "This device has answered the survey today"
    ),
    "survey-volunteers-only": M(
        "本问卷仅限注册志愿者填写，请先登录",
        "Log in as a volunteer to answer this survey",
        status=403,
    ),
    "survey-outside-audience": M(
        "本问卷面向其他组织的青年", "This survey is for the youths of another unit", status=403
    ),
    "survey-questions-empty": M("问卷至少需要一道题", "A survey asks at least one question"),
    "survey-questions-too-many": M("问卷题目太多", "The survey asks too many questions"),
    "survey-options-count": M("选择题需要 2 到 20 个选项", "A choice offers 2 to 20 options"),
    "survey-options-repeated": M("选项不能重复", "An option is offered twice"),
    "survey-options-not-a-choice": M("只有选择题才有选项", "Only choices offer options"),
    "survey-number-bounds": M("数字题的范围不正确", "The number's bounds are not valid"),
    "survey-version-unknown": M("问卷没有这个版本", "The survey has no such version"),
    "survey-window-invalid": M("问卷的结束时间须晚于开始时间", "A survey closes after it opens"),
    "device_id-empty": M("缺少设备标识", "The device id is missing"),
    "device_id-too-long": M("设备标识太长", "The device id is too long"),
    "prompt-empty": M("请填写题目", "A question needs its text"),
    "prompt-too-long": M("题目太长", "The question is too long"),
    "option-empty": M("选项不能为空", "An option needs its text"),
    "option-too-long": M("选项太长", "The option is too long"),
    "intro-empty": M("请填写问卷说明", "An introduction is required"),
    "intro-too-long": M("问卷说明太长", "The introduction is too long"),
}
