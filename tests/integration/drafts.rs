//! Drafts answer the message in hand, not its category: one test per defect class of the
//! native-speaker review, each in several languages (zh/ja/ko/he among them). The messages
//! are written for these tests; the config is `tests/drafts/`.

use std::sync::LazyLock;

use mailtriage::pipeline::{load_engine, Engine};
use mailtriage::rules::Priority;

use crate::util::{fixed_env, root};

fn engine() -> &'static Engine {
    static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
        load_engine(&root().join("tests/drafts/config.toml")).expect("tests/drafts config loads")
    });
    &ENGINE
}

/// A message from `from` to `to`, sent at `date` (RFC 2822, with its offset).
fn mail(from: &str, to: &str, subject: &str, date: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: <{}@test.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n",
        subject.len() * 7919 + body.len()
    )
    .into_bytes()
}

const TO: &str = "support@example.com";
const DATE: &str = "Mon, 23 Nov 2026 10:00:00 +0000";

/// (template used, body) of the draft for a message.
fn draft(raw: &[u8]) -> (String, String) {
    let o = engine()
        .triage(raw, "test", &fixed_env(), None)
        .expect("triage runs");
    match o.draft {
        Some(d) => (d.template, d.body),
        None => panic!("no draft: {:?} {:?}", o.action, o.skip_reason),
    }
}

fn reply(from: &str, subject: &str, text: &str) -> (String, String) {
    draft(&mail(from, TO, subject, DATE, text))
}

/// The body's paragraphs, without greeting and signature.
fn paragraphs(body: &str) -> Vec<&str> {
    let p: Vec<&str> = body.split("\n\n").map(str::trim).collect();
    p[1..p.len().saturating_sub(1)].to_vec()
}

/// The customer-facing advice to use the reset link, per language: it must not go to someone
/// who already reset, whose reset mail never came, or who is locked out by two-factor.
fn reset_advice(lang: &str) -> &'static str {
    match lang {
        "en" => "Forgot password",
        "de" => "Passwort vergessen",
        "ja" => "パスワードをお忘れの方",
        "ko" => "비밀번호 찾기",
        "he" => "שכחתי סיסמה",
        "zh" => "忘记密码",
        _ => unreachable!("no marker for {lang}"),
    }
}

#[test]
fn login_drafts_do_not_advise_a_reset_the_customer_already_tried() {
    let cases = [
        ("en", "Cannot sign in", "I can't log in. I've already reset my password twice and it still says the password is wrong."),
        ("de", "Anmeldung geht nicht", "Ich kann mich nicht anmelden. Ich habe mein Passwort bereits zurückgesetzt, trotzdem heißt es, das Passwort sei falsch."),
        ("ja", "ログインできません", "ログインできません。パスワードを再設定しましたが、まだ「パスワードが違います」と表示されます。"),
        ("ko", "로그인이 안 됩니다", "로그인이 되지 않습니다. 비밀번호를 재설정했는데도 계속 비밀번호가 틀렸다고 나옵니다."),
        ("he", "לא מצליח להתחבר", "אני לא מצליח להתחבר לחשבון. איפסתי את הסיסמה פעמיים ועדיין כתוב שהסיסמה שגויה."),
        ("zh", "无法登录", "我无法登录账户。我重置了密码，但系统仍然提示密码错误。"),
    ];
    for (lang, subject, text) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert_eq!(template, format!("{lang}/login"), "{body}");
        assert!(!body.contains(reset_advice(lang)), "{lang}: {body}");
        // The same message without the reset gets the advice: the branch, not the template, decides.
        let plain = text.split(['.', '。']).next().unwrap_or(text);
        let (_, plain_body) = reply("Alex <alex@customer.example>", subject, plain);
        assert!(
            plain_body.contains(reset_advice(lang)),
            "{lang}: {plain_body}"
        );
    }
}

#[test]
fn login_drafts_answer_a_missing_reset_mail_and_two_factor_without_the_reset_link() {
    let cases = [
        ("en", "Reset email never arrived", "I can't log in and the reset email never arrived, I checked spam too."),
        ("ja", "再設定メールが届きません", "ログインできません。再設定メールが届きません。迷惑メールフォルダも確認しました。"),
        ("ko", "재설정 메일이 오지 않습니다", "로그인이 안 됩니다. 재설정 메일이 오지 않습니다. 스팸함도 확인했습니다."),
        ("zh", "收不到重置邮件", "我无法登录，而且一直没有收到重置邮件，垃圾邮件里也没有。"),
        ("en", "Locked out after new phone", "I changed my phone and now I can't get the 2FA code, so I can't log in to my account."),
        ("de", "2FA nach Handywechsel", "Ich habe ein neues Handy und bekomme den 2FA-Code nicht mehr, ich kann mich nicht anmelden."),
    ];
    for (lang, subject, text) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert_eq!(template, format!("{lang}/login"), "{body}");
        assert!(!body.contains(reset_advice(lang)), "{lang}: {body}");
    }
}

#[test]
fn drafts_name_the_invoice_they_gave_instead_of_asking_for_it() {
    let cases = [
        ("en", "Charged twice", "You charged us twice this month for invoice INV-4471. Please refund the second payment."),
        ("de", "Doppelte Abbuchung", "Sie haben die Rechnung INV-4471 diesen Monat zweimal abgebucht. Bitte erstatten Sie die zweite Zahlung."),
        ("ja", "二重請求について", "今月、請求書番号 INV-4471 の料金が二重に引き落とされています。返金をお願いします。"),
        ("ko", "이중 청구", "이번 달 인보이스 INV-4471 금액이 두 번 결제되었습니다. 환불 부탁드립니다."),
        ("zh", "重复扣费", "本月发票号 INV-4471 被重复扣费了两次，请退还多扣的款项。"),
        ("he", "חיוב כפול", "חויבנו פעמיים החודש על חשבונית מספר INV-4471. נבקש החזר של החיוב הכפול."),
    ];
    for (lang, subject, text) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert_eq!(template, format!("{lang}/billing"), "{body}");
        assert!(body.contains("INV-4471"), "{lang}: {body}");
    }
}

/// Round 16 (ja 04): a copy or a corrected invoice asked beside a refund or a double charge
/// is not the whole message: the draft takes up the charge and promises the invoice too.
#[test]
fn an_invoice_asked_beside_a_refund_does_not_hide_the_charge() {
    let cases = [
        ("en", "Wrong amount on INV-5120", "Invoice INV-5120 bills us for 18 seats, we have 14. Please refund the difference and send a copy of the September invoice as well.", "We'll also send you the invoice you asked for"),
        ("ja", "請求金額の相違", "請求書 INV-5120 に同じ明細が2行あり、二重に請求されています。差額のご返金をお願いします。あわせて請求書の再発行をお願いします。", "ご依頼の請求書も"),
        ("zh", "发票金额不对", "发票 INV-5120 多算了4个用户，请把差额退给我们。另外麻烦把9月的发票再发一份给我。", "您要的发票我们也会一并发给您"),
    ];
    for (lang, subject, text, promise) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert_eq!(template, format!("{lang}/billing"), "{body}");
        assert!(body.contains("INV-5120"), "{lang}: {body}");
        assert!(body.contains(promise), "{lang}: {body}");
    }
}

/// Round 17 (zh 04): a wrong invoice not yet paid is no "deduction" to check, and an
/// overcharge found on it is corrected, not only refunded.
#[test]
fn a_wrong_chinese_invoice_is_not_taken_for_a_payment() {
    let (template, body) = reply(
        "孙立伟 <sun@example.cn>",
        "发票金额有误",
        "贵司开具的发票 INV-2026-11873 金额为人民币 3,600.00 元，按合同应为 2,400 元。请核实，在此之前我司暂缓付款。",
    );
    assert_eq!(template, "zh/billing", "{body}");
    assert!(body.contains("尚未支付的我们会更正账单"), "{body}");
    assert!(!body.contains("扣款"), "{body}");
}

/// Round 17 (zh 01): once the incident is over, an urgent outage report is not told its case
/// has been given priority; without a known incident, it is.
#[test]
fn a_resolved_incident_is_not_put_first_again() {
    // The fixture config's facts hold INC-9, which this fixture's Date falls after.
    let raw =
        std::fs::read(crate::util::fixtures().join("lat-es-outage-api-502.eml")).expect("fixture");
    let over = crate::util::engine()
        .triage(&raw, "test", &fixed_env(), None)
        .expect("triage runs")
        .draft
        .expect("a draft")
        .body;
    assert!(
        over.contains("INC-9") && over.contains("Ya está resuelta"),
        "{over}"
    );
    assert!(!over.contains("hemos dado prioridad"), "{over}");
    let (_, unknown) = reply(
        "Alex <alex@customer.example>",
        "API down",
        "URGENT!!! Our API calls all returned 502 this morning, we need this working now.",
    );
    assert!(
        unknown.contains("marked your request as urgent"),
        "{unknown}"
    );
}

#[test]
fn thanks_questions_and_requests_get_their_own_drafts() {
    let cases = [
        ("en", "thanks", "Thank you!", "Thank you so much, Maria fixed our export in ten minutes. Great service!"),
        ("ko", "thanks", "감사합니다", "빠르게 해결해 주셔서 정말 감사합니다! 담당자분께 감사 인사 전해 주세요."),
        ("ja", "thanks", "お礼", "迅速にご対応いただき、本当にありがとうございました。おかげさまで問題なく使えています。"),
        ("en", "question", "Single sign-on on the Team plan?", "We are evaluating your product. Does the Team plan support single sign-on with Okta?"),
        ("zh", "question", "咨询", "请问你们的专业版支持单点登录吗？我们正在评估是否购买。"),
        ("en", "request", "Copy of invoice", "Could you please send me a copy of our October invoice?"),
    ];
    for (lang, category, subject, text) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert_eq!(template, format!("{lang}/{category}"), "{body}");
    }
}

#[test]
fn a_call_asked_for_today_gets_the_number_back_and_email_people_are_not_asked_for_one() {
    let cases = [
        ("en", "Still no answer", "I wrote three times and still have no answer. Please reply today, or call me on +44 20 7946 0321.", "+44 20 7946 0321"),
        ("he", "עדיין אין תשובה", "כתבתי כבר שלוש פעמים ואין תשובה. תתקשרו אליי היום למספר 052-555-1234.", "052-555-1234"),
        ("ja", "まだ回答がありません", "何度も問い合わせていますが、まだ回答がありません。本日中にお電話ください。電話番号は 03-5555-1234 です。", "03-5555-1234"),
    ];
    for (lang, subject, text, phone) in cases {
        let (_, body) = reply("Alex <alex@customer.example>", subject, text);
        assert!(body.contains(phone), "{lang}: {body}");
    }
    // Slow service by email: no phone number is asked for, in any language.
    let cases = [
        (
            "en",
            "Still waiting",
            "I have been waiting twelve days for an answer to my email about the export.",
        ),
        (
            "ko",
            "답변이 없습니다",
            "메일을 보낸 지 열흘이 지났는데 아직도 답변이 없습니다.",
        ),
        (
            "zh",
            "一直没有回复",
            "我发邮件已经十天了，到现在还没有任何回复。",
        ),
    ];
    for (lang, subject, text) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert_eq!(template, format!("{lang}/slow_service"), "{body}");
        let ask = std::fs::read_to_string(root().join(format!(
            "templates/{lang}/partials/fact_callback_missing.hbs"
        )))
        .expect("partial");
        assert!(!body.contains(ask.trim()), "{lang}: {body}");
    }
}

#[test]
fn an_old_address_of_ours_is_named_once_and_never_doubts_the_message_in_hand() {
    // Written to the retired help-desk address, which is also named in the body.
    let cases = [
        ("en", "Invoice question", "I sent this to helpdesk@example.net as always: why is our invoice higher this month?"),
        ("zh", "发票问题", "我像往常一样发到 helpdesk@example.net：为什么这个月的发票金额变高了？"),
        ("ja", "請求書について", "いつも通り helpdesk@example.net 宛てに送っています。今月の請求額が高いのはなぜですか。"),
        ("ko", "청구서 문의", "늘 하던 대로 helpdesk@example.net 으로 보냅니다. 이번 달 청구 금액이 왜 더 높은가요?"),
    ];
    let english_note = "Since our March 2025 upgrade";
    for (lang, subject, text) in cases {
        let (_, body) = draft(&mail(
            "Alex <alex@customer.example>",
            "helpdesk@example.net",
            subject,
            DATE,
            text,
        ));
        assert_eq!(
            body.matches("helpdesk@example.net").count(),
            1,
            "{lang}: {body}"
        );
        assert!(body.contains("support@example.com"), "{lang}: {body}");
        if lang != "en" {
            assert!(
                !body.contains(english_note),
                "{lang}: English note in {body}"
            );
        }
    }
}

#[test]
fn a_regression_from_a_retired_address_still_takes_up_the_failure() {
    let cases = [
        ("en", "Export stopped working", "The CSV export worked fine last month, but since the update it fails every time."),
        ("de", "Export funktioniert nicht mehr", "Der CSV-Export hat letzten Monat noch funktioniert, seit dem Update schlägt er jedes Mal fehl."),
        ("ko", "내보내기가 안 됩니다", "지난달까지는 CSV 내보내기가 잘 되었는데 업데이트 이후로 매번 실패합니다."),
        ("he", "הייצוא הפסיק לעבוד", "ייצוא ה-CSV עבד מצוין בחודש שעבר, אבל מאז העדכון הוא נכשל בכל פעם."),
    ];
    for (lang, subject, text) in cases {
        let (t1, plain) = reply("Alex <alex@customer.example>", subject, text);
        let (t2, retired) = reply("Alex <alex@oldmail.example>", subject, text);
        assert_eq!(
            (t1.as_str(), t2.as_str()),
            (
                &*format!("{lang}/regression"),
                &*format!("{lang}/regression")
            )
        );
        assert!(
            retired.contains("alex@oldmail.example"),
            "{lang}: {retired}"
        );
        for p in paragraphs(&plain) {
            assert!(retired.contains(p), "{lang}: {p:?} missing from {retired}");
        }
    }
}

#[test]
fn incident_times_are_in_the_customers_offset_and_language_never_iso_utc() {
    let cases = [
        (
            "de",
            "Dashboard lädt nicht",
            "Seit heute Nachmittag lädt das Dashboard nicht mehr, es ist komplett ausgefallen.",
            "Wed, 18 Nov 2026 15:10:00 +0100",
            &["18. November 2026", "13:55", "17:30", "MEZ"][..],
        ),
        (
            "ja",
            "ダッシュボードが開きません",
            "夜からダッシュボードが全く表示されず、障害が発生しているようです。",
            "Wed, 18 Nov 2026 23:10:00 +0900",
            &["2026年11月18日", "21時55分", "日本時間"][..],
        ),
        (
            "zh",
            "控制台打不开",
            "从今天晚上九点左右开始，控制台完全打不开，服务好像宕机了。",
            "Wed, 18 Nov 2026 22:10:00 +0800",
            &["北京时间", "20:55"][..],
        ),
        (
            "he",
            "לוח הבקרה לא עובד",
            "לוח הבקרה לא נטען בכלל מאז הצהריים, נראה שיש תקלה.",
            "Wed, 18 Nov 2026 16:10:00 +0200",
            &["18 בנובמבר 2026", "14:55", "18:30", "שעון ישראל"][..],
        ),
    ];
    for (lang, subject, text, date, want) in cases {
        let (template, body) = draft(&mail(
            "Alex <alex@customer.example>",
            TO,
            subject,
            date,
            text,
        ));
        assert_eq!(template, format!("{lang}/outage"), "{body}");
        assert!(
            body.contains("INC-77") || body.contains("status.example.com/incidents/INC-77"),
            "{body}"
        );
        for w in want {
            assert!(body.contains(w), "{lang}: {w:?} missing from {body}");
        }
        assert!(
            !body.contains("UTC") && !body.contains("2026-11-18"),
            "{lang}: {body}"
        );
    }
}

#[test]
fn the_why_is_given_in_the_customers_language_and_only_in_it() {
    let cases = [
        ("de", "Anleitung funktioniert nicht", "Ich folge der Anleitung auf docs.example.com/sync/v1, aber Schritt 4 funktioniert nicht.", "der Token aus v1"),
        ("ja", "手順どおりにできません", "docs.example.com/sync/v1 の手順どおりに進めていますが、手順4でうまくいきません。", "v1のトークン"),
        ("zh", "按说明操作不成功", "我按照 docs.example.com/sync/v1 上的说明操作，但是第 4 步不成功。", "第 1 版的令牌"),
    ];
    for (lang, subject, text, why) in cases {
        let (_, body) = reply("Alex <alex@customer.example>", subject, text);
        assert!(body.contains(why), "{lang}: {body}");
        assert!(
            body.contains("https://docs.example.com/sync/v2"),
            "{lang}: {body}"
        );
        assert!(
            !body.contains("signs in through the browser"),
            "{lang}: English in {body}"
        );
    }
}

#[test]
fn every_language_promises_what_the_config_says() {
    let e = engine();
    let cases = [
        (
            "en",
            "Question about exports",
            "How do I export the audit log for the last year?",
        ),
        (
            "de",
            "Frage zum Export",
            "Wie kann ich das Prüfprotokoll des letzten Jahres exportieren?",
        ),
        (
            "fr",
            "Question sur l'export",
            "Comment puis-je exporter le journal d'audit de l'année dernière ?",
        ),
        (
            "es",
            "Pregunta sobre la exportación",
            "¿Cómo puedo exportar el registro de auditoría del último año?",
        ),
        (
            "et",
            "Küsimus ekspordi kohta",
            "Kuidas saan eksportida eelmise aasta auditilogi?",
        ),
        (
            "ja",
            "エクスポートについて",
            "昨年分の監査ログをエクスポートするにはどうすればよいですか。",
        ),
        (
            "ko",
            "내보내기 문의",
            "작년 감사 로그를 내보내려면 어떻게 해야 하나요?",
        ),
        ("zh", "关于导出的问题", "请问如何导出去年一整年的审计日志？"),
        (
            "he",
            "שאלה על ייצוא",
            "איך אפשר לייצא את יומן הביקורת של השנה שעברה?",
        ),
    ];
    for (lang, subject, text) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert!(template.starts_with(&format!("{lang}/")), "{template}");
        let three_days = e.templates.locale(lang).business_days(3);
        assert!(!three_days.is_empty());
        assert!(
            body.contains(&three_days),
            "{lang}: {three_days:?} missing from {body}"
        );
    }
}

#[test]
fn staff_complaints_apologise_for_the_experience_not_the_feeling() {
    let cases = [
        (
            "es",
            "Queja sobre un agente",
            "El agente con el que hablé ayer fue muy grosero y me colgó a mitad de la llamada.",
            "cómo se sintió",
        ),
        (
            "he",
            "תלונה על נציג",
            "הנציג שדיבר איתי אתמול היה גס רוח וניתק לי באמצע השיחה.",
            "על התחושה",
        ),
        (
            "et",
            "Kaebus klienditeenindaja kohta",
            "Klienditeenindaja, kellega eile rääkisin, oli väga ebaviisakas ja pani toru ära.",
            "sellise tunde",
        ),
        (
            "en",
            "Complaint about an agent",
            "The agent I spoke to yesterday was very rude and hung up on me.",
            "felt",
        ),
    ];
    for (lang, subject, text, non_apology) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert_eq!(template, format!("{lang}/staff_complaint"), "{body}");
        assert!(!body.contains(non_apology), "{lang}: {body}");
    }
}

#[test]
fn locked_and_single_sign_on_logins_get_their_own_answer_not_the_reset_link() {
    let cases = [
        ("en", "Account locked", "My account is locked after too many attempts and I cannot log in."),
        ("ja", "ログインできません", "アカウントがロックされてしまい、ログインできません。"),
        ("ko", "로그인 불가", "계정이 잠겨서 로그인이 안 됩니다."),
        ("he", "אין גישה", "החשבון שלי ננעל ואני לא מצליח להתחבר."),
        ("en", "SSO sign-in fails", "Since this morning our single sign-on with Okta fails and nobody in the team can log in."),
        ("ja", "SSOでログインできない", "シングルサインオンでログインしようとするとエラーになり、ログインできません。"),
    ];
    for (lang, subject, text) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert_eq!(template, format!("{lang}/login"), "{body}");
        assert!(!body.contains(reset_advice(lang)), "{lang}: {body}");
    }
}

#[test]
fn staff_complaints_promise_the_original_request_in_every_language() {
    let e = engine();
    let cases = [
        ("en", "Complaint", "The agent I spoke to yesterday was very rude and hung up on me before my billing question was solved."),
        ("de", "Beschwerde", "Der Mitarbeiter am Telefon war gestern sehr unhöflich und hat einfach aufgelegt, bevor meine Frage zur Rechnung geklärt war."),
        ("fr", "Réclamation", "L'agent que j'ai eu au téléphone hier a été très impoli et m'a raccroché au nez avant que ma question sur la facture soit réglée."),
        ("es", "Queja", "El agente con el que hablé ayer fue muy grosero y me colgó antes de resolver mi consulta sobre la factura."),
        ("zh", "投诉客服", "昨天接电话的客服态度非常恶劣，我的账单问题还没解决就直接挂了我的电话。"),
        ("ja", "担当者の対応について", "昨日電話で対応した担当者の態度が非常に悪く、請求の件が解決しないうちに一方的に電話を切られました。"),
        ("ko", "상담원 불만", "어제 통화한 상담원이 매우 불친절했고, 청구 문의가 해결되기도 전에 전화를 끊어 버렸습니다."),
        ("he", "תלונה על נציג", "הנציג שדיברתי איתו אתמול היה גס רוח מאוד וניתק לי את השיחה לפני שהשאלה שלי על החשבונית נפתרה."),
        ("et", "Kaebus", "Klienditeenindaja, kellega eile rääkisin, oli väga ebaviisakas ja pani toru ära enne, kui mu arveküsimus lahenes."),
    ];
    for (lang, subject, text) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert_eq!(template, format!("{lang}/staff_complaint"), "{body}");
        // The original request is handled, by a date: the configured promise in their words.
        let promise = e.templates.locale(lang).business_days(3);
        assert!(
            body.contains(&promise),
            "{lang}: {promise:?} missing from {body}"
        );
    }
}

/// Round 11 (en ja ko he): the original problem under a staff complaint was named only as
/// "your request about uploading files", without the error code the customer gave.
#[test]
fn a_staff_complaint_names_the_error_of_the_original_problem() {
    let cases = [
        ("en", "Complaint", "The agent I spoke to yesterday was very rude and hung up on me. My upload still fails with error E-4031."),
        ("de", "Beschwerde", "Der Mitarbeiter am Telefon war gestern sehr unhöflich und hat einfach aufgelegt. Der Upload bricht weiterhin mit Fehler E-4031 ab."),
        ("ja", "担当者の対応について", "昨日電話で対応した担当者の態度が非常に悪く、一方的に電話を切られました。アップロードは今もエラー E-4031 で失敗します。"),
        ("ko", "상담원 불만", "어제 통화한 상담원이 매우 불친절했고 전화를 끊어 버렸습니다. 업로드는 여전히 오류 E-4031로 실패합니다."),
        ("zh", "投诉客服", "昨天接电话的客服态度非常恶劣，直接挂了我的电话。上传还是报错 E-4031。"),
        ("he", "תלונה על נציג", "הנציג שדיברתי איתו אתמול היה גס רוח מאוד וניתק לי את השיחה. ההעלאה עדיין נכשלת עם שגיאה E-4031."),
    ];
    for (lang, subject, text) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert_eq!(template, format!("{lang}/staff_complaint"), "{body}");
        assert!(
            body.contains("E-4031"),
            "{lang}: the error is not named in {body}"
        );
    }
}

#[test]
fn unanswered_mail_to_an_old_address_of_ours_is_explained_in_a_slow_service_reply() {
    let cases = [
        (
            "en",
            "Still no answer",
            "I emailed helpdesk@example.net two weeks ago and still have had no answer at all.",
        ),
        (
            "zh",
            "一直没有回复",
            "两周前我给 helpdesk@example.net 发了邮件，到现在还没有任何回复。",
        ),
        (
            "ko",
            "답변이 없습니다",
            "2주 전에 helpdesk@example.net 으로 메일을 보냈는데 아직도 답장이 없습니다.",
        ),
        (
            "he",
            "עדיין אין תשובה",
            "שלחתי מייל ל-helpdesk@example.net לפני שבועיים ועדיין לא קיבלתי שום תשובה.",
        ),
    ];
    for (lang, subject, text) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert_eq!(template, format!("{lang}/slow_service"), "{body}");
        assert_eq!(
            body.matches("helpdesk@example.net").count(),
            1,
            "{lang}: the old address is named once: {body}"
        );
        assert!(
            body.contains("support@example.com"),
            "{lang}: the address to use instead: {body}"
        );
    }
}

#[test]
fn a_second_request_in_a_complaint_is_answered_too() {
    let cases = [
        (
            "en",
            "Dashboard down",
            "The dashboard has been down since this morning, we get 502 errors. Also, could you please send me a copy of invoice INV-2211? Our accountant needs it.",
            "We'll also send you the copy you asked for (invoice INV-2211)",
        ),
        (
            "zh",
            "控制台打不开",
            "控制台从今天早上开始就打不开，一直报502错误。另外，麻烦把发票 INV-2211 的副本发给我，会计要用。",
            "您需要的发票（INV-2211）副本，我们也会",
        ),
        (
            "ko",
            "대시보드 접속 불가",
            "오늘 아침부터 대시보드가 열리지 않고 502 오류가 납니다. 그리고 INV-2211 청구서 사본도 보내 주시기 바랍니다.",
            "요청하신 사본(청구서 INV-2211)도",
        ),
        (
            "he",
            "לוח הבקרה לא עובד",
            "מהבוקר לוח הבקרה לא נטען ומקבלים שגיאה 502. בנוסף, אשמח לקבל עותק של חשבונית INV-2211.",
            "נשלח לכם גם את העותק שביקשתם (חשבונית INV-2211)",
        ),
    ];
    for (lang, subject, text, also) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert_eq!(template, format!("{lang}/outage"), "{body}");
        assert!(
            body.contains(also),
            "{lang}: the second request is answered: {body}"
        );
    }
    // Without a second request, nothing is added.
    let (_, body) = reply(
        "Alex <alex@customer.example>",
        "Dashboard down",
        "The dashboard has been down since this morning, we get 502 errors.",
    );
    assert!(!body.contains("We'll also"), "{body}");
}

/// The sentence a login draft uses when it has no account address but the sender's, per
/// language: "we'll look it up by the address you wrote from; if you sign in with another one,
/// tell us". It must not go to someone who named their account's address.
fn wrote_from(lang: &str) -> &'static str {
    match lang {
        "en" => "the address you wrote from",
        "de" => "Absenderadresse",
        "fr" => "l'adresse depuis laquelle vous nous écrivez",
        "es" => "la dirección desde la que nos escribe",
        "et" => "millelt meile kirjutasite",
        "ja" => "送信元アドレス",
        "ko" => "이 메일 주소가 아닌 다른",
        "zh" => "发信所用的邮箱地址",
        "he" => "הכתובת שממנה כתבתם",
        _ => unreachable!("no marker for {lang}"),
    }
}

#[test]
fn login_drafts_name_the_account_address_they_gave_instead_of_asking_for_it() {
    const ADDRESS: &str = "anna.berg@firma.example";
    let cases = [
        ("en", "Account locked", "My account is locked after too many attempts. My login is anna.berg@firma.example, not the address I'm writing from."),
        ("de", "Konto gesperrt", "Mein Konto ist gesperrt. Ich melde mich immer mit anna.berg@firma.example an, nicht mit dieser Adresse."),
        ("fr", "Compte bloqué", "Mon compte est bloqué et je ne peux plus me connecter. Mon identifiant est anna.berg@firma.example."),
        ("es", "Cuenta bloqueada", "Mi cuenta está bloqueada y no puedo iniciar sesión. Entro con mi correo del trabajo anna.berg@firma.example."),
        ("et", "Konto on lukus", "Mu konto on lukus ja ma ei saa sisse logida. Logisin alati sisse aadressiga anna.berg@firma.example."),
        ("ja", "ログインできません", "アカウントがロックされてしまい、ログインできません。アカウントは anna.berg@firma.example です。"),
        ("ko", "로그인 불가", "계정이 잠겨서 로그인이 안 됩니다. 저는 anna.berg@firma.example로 로그인합니다."),
        ("zh", "无法登录", "我无法登录账户。我重置了密码，但系统仍然提示密码错误。我的账号是 anna.berg@firma.example。"),
        ("he", "אין גישה", "החשבון שלי ננעל ואני לא מצליח להתחבר. אני מתחבר עם anna.berg@firma.example."),
    ];
    for (lang, subject, text) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert_eq!(template, format!("{lang}/login"), "{body}");
        assert_eq!(body.matches(ADDRESS).count(), 1, "{lang}: {body}");
        assert!(!body.contains(wrote_from(lang)), "{lang}: {body}");
        // The same message naming the address they write from: the draft looks that one up,
        // naming it or calling it the address they wrote from.
        let own = text.replace(ADDRESS, "alex@customer.example");
        let (_, own_body) = reply("Alex <alex@customer.example>", subject, &own);
        assert!(
            own_body.contains(wrote_from(lang)) || own_body.contains("alex@customer.example"),
            "{lang}: {own_body}"
        );
    }
}

#[test]
fn a_retired_address_of_theirs_takes_the_new_address_they_gave() {
    // Written from a closed customer domain, with the new address in the body.
    let cases = [
        ("en", "Please update my email address", "My old address no longer works. Please change my address to alex.new@newmail.example.", "Just tell us the email address you use now"),
        ("ja", "メールアドレス変更のお願い", "以前のアドレスは使えなくなりました。新しいメールアドレスは alex.new@newmail.example です。登録の変更をお願いします。", "お使いになりたいメールアドレスをお知らせいただければ"),
        ("zh", "请更新我的邮箱", "我以前的邮箱已经不能用了。我的新邮箱是 alex.new@newmail.example，请帮我更新。", "请回复告诉我们另一个您正在使用的邮箱地址"),
        ("ko", "이메일 주소 변경 요청", "예전 주소는 더 이상 사용하지 않습니다. 새 이메일 주소는 alex.new@newmail.example 입니다. 변경 부탁드립니다.", "지금 사용하시는 다른 이메일 주소를 알려 주시면"),
    ];
    for (lang, subject, text, ask) in cases {
        let (template, body) = reply("Alex <alex@oldmail.example>", subject, text);
        assert!(template.starts_with(&format!("{lang}/")), "{template}");
        assert!(body.contains("alex@oldmail.example"), "{lang}: {body}");
        // Named once by us; a request draft may also quote the customer's own sentence.
        let ours: String = body
            .lines()
            .filter(|l| !l.starts_with('>'))
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(
            ours.matches("alex.new@newmail.example").count(),
            1,
            "{lang}: {body}"
        );
        assert!(!body.contains(ask), "{lang}: {body}");
    }
}

/// What a draft says when it offers to call, per language.
fn call_offer(lang: &str) -> &'static [&'static str] {
    match lang {
        "en" => &["call you"],
        "de" => &["ruft Sie", "rufen wir Sie an"],
        "ja" => &["お電話いたします", "お電話を差し上げ"],
        "ko" => &["전화드리겠습니다", "전화로 연락드릴"],
        "zh" => &["打电话", "拨打", "回电"],
        "he" => &["יתקשר", "בטלפון"],
        _ => unreachable!("no marker for {lang}"),
    }
}

/// The first line of one of the language's partials, as the draft shows it.
fn partial_line(lang: &str, name: &str) -> String {
    let text =
        std::fs::read_to_string(root().join(format!("templates/{lang}/partials/{name}.hbs")))
            .expect("partial");
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("{{"))
        .expect("a line of text")
        .to_string()
}

#[test]
fn email_only_customers_are_neither_offered_a_call_nor_asked_for_a_number() {
    // Repeat contacts who phoned before (a call back would be in question) and slow-service
    // complaints with a phone number in the signature, all asking for an answer by email.
    let cases = [
        ("en", "repeat_contact", "Third time writing", "This is the third time I'm contacting you about the same export problem. I called twice and nobody called back. Please don't call me, I can't take calls at work: answer by email only.", None),
        ("de", "repeat_contact", "Dritte Anfrage", "Ich schreibe Ihnen jetzt zum dritten Mal wegen desselben Problems und habe zweimal angerufen. Bitte rufen Sie mich nicht an, ich kann während der Arbeit nicht telefonieren – bitte nur per E-Mail.", None),
        ("ja", "repeat_contact", "三度目の問い合わせです", "同じ件で三度目のご連絡です。二回電話しましたが、折り返しの電話がありません。仕事中は電話に出られませんので、メールでご回答ください。", None),
        ("zh", "repeat_contact", "第三次联系", "这是我第三次为同一个问题联系你们了，打了两次电话也没人回电。我上班时不方便接电话，请邮件回复。", None),
        ("he", "repeat_contact", "פנייה שלישית", "זו הפעם השלישית שאני פונה אליכם באותו עניין. התקשרתי פעמיים ואף אחד לא חזר אליי. אני לא יכול לדבר בטלפון בעבודה, אז נא להשיב במייל.", None),
        ("en", "slow_service", "Still waiting", "I have been waiting twelve days for an answer to my email about the export. Please reply by email, I can't take calls.\n\nAlex Meyer\nTel. +44 20 7946 0321", Some("7946 0321")),
        ("ko", "slow_service", "답변이 없습니다", "메일을 보낸 지 열흘이 지났는데 아직도 답변이 없습니다. 전화 말고 이메일로 답변 부탁드립니다.\n\n김민준\n휴대폰 010-1234-5678", Some("1234-5678")),
        ("zh", "slow_service", "一直没有回复", "我发邮件已经十天了，到现在还没有任何回复。请不要给我打电话，邮件回复即可。\n\n王磊\n手机 138 0013 8000", Some("0013 8000")),
    ];
    for (lang, category, subject, text, phone) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert_eq!(template, format!("{lang}/{category}"), "{body}");
        let ask = partial_line(lang, "fact_callback_missing");
        assert!(!body.contains(&ask), "{lang}: {body}");
        for offer in call_offer(lang) {
            assert!(!body.contains(offer), "{lang}: {offer:?} in {body}");
        }
        if let Some(phone) = phone {
            assert!(!body.contains(phone), "{lang}: {body}");
        }
        // Their wish is acknowledged, once.
        let ack = partial_line(lang, "by_email");
        assert_eq!(body.matches(&ack).count(), 1, "{lang}: {ack:?} in {body}");
    }
}

#[test]
fn thanks_pass_the_praise_on_to_the_colleague_they_named() {
    let cases = [
        ("en", "Thank you!", "Many thanks to Maria from your support team, she sorted it in ten minutes.", "pass them on to Maria,"),
        ("en", "Thanks a lot", "I just wanted to say a big thank you to Jonas and Priya! Our migration went perfectly.", "pass them on to Jonas and Priya,"),
        ("de", "Dankeschön", "Herr Schulz hat mir gestern super geholfen, das Problem ist gelöst. Vielen Dank!", "Herr Schulz wird sich sehr darüber freuen"),
        ("fr", "Merci !", "Un grand merci à Sophie du support, qui a résolu mon problème en quelques minutes. Service au top !", "vos remerciements à Sophie,"),
        ("es", "Gracias", "Muchas gracias a Laura del servicio de atención al cliente, fue muy amable y me lo solucionó todo enseguida.", "lleguen a Laura,"),
        ("et", "Aitäh", "Tere! Mari klienditoest aitas mind eile väga kiiresti. Suur aitäh!", "Mari rõõmustab"),
        ("he", "תודה", "תודה רבה לדנה מהתמיכה, היא פתרה לי את הבעיה תוך כמה דקות!", "יגיעו לדנה,"),
        // Our own colleague, told to a customer, without an honorific.
        ("ja", "お礼", "先日は田中さんに大変丁寧にご対応いただき、誠にありがとうございました。おかげさまで問題が解決しました。", "担当の田中の対応"),
        ("ko", "감사합니다", "김지은 매니저님 덕분에 문제를 빨리 해결했습니다. 정말 감사합니다!", "김지은 매니저에게 꼭 전하고"),
        ("zh", "感谢", "客服小王非常耐心，帮我解决了登录的问题，非常感谢！", "转达给小王，"),
    ];
    for (lang, subject, text, named) in cases {
        let (template, body) = reply("Alex Kim <alex@customer.example>", subject, text);
        assert_eq!(template, format!("{lang}/thanks"), "{body}");
        assert!(
            body.contains(named),
            "{lang}: {named:?} missing from {body}"
        );
    }
}

/// What the thanks draft says when it has no colleague's name: the praise goes to whoever
/// helped.
fn unnamed_thanks(lang: &str) -> &'static str {
    match lang {
        "en" => "the colleague who helped you",
        "de" => "selbstverständlich auch an die Teamleitung",
        _ => unreachable!("no marker for {lang}"),
    }
}

#[test]
fn a_capitalised_word_after_a_thanks_that_is_no_name_is_not_thanked_as_a_colleague() {
    // (no name, a name, how the draft names it): the same sentence with a real name names it;
    // with the team, or with the customer's own name, the draft names no one.
    let cases = [
        (
            "en",
            "Thanks to Support for the quick fix, everything works now. Thank you!",
            "Thanks to Maria for the quick fix, everything works now. Thank you!",
            "Maria",
            "pass them on to Maria,",
        ),
        (
            "de",
            "Danke an Ihr Team für die schnelle Hilfe! Alles funktioniert wieder.",
            "Danke an Frau Weber für die schnelle Hilfe! Alles funktioniert wieder.",
            "Weber",
            "Frau Weber wird sich",
        ),
        (
            "de",
            "Danke an Alle, besonders an Ihre Hotline! Alles funktioniert wieder.",
            "Danke an Jonas, besonders an Ihre Hotline! Alles funktioniert wieder.",
            "Jonas",
            "Jonas wird sich",
        ),
    ];
    for (lang, no_name, with_name, name, named) in cases {
        let (template, body) = reply("Alex Kim <alex@customer.example>", "Thank you", no_name);
        assert_eq!(template, format!("{lang}/thanks"), "{body}");
        assert!(body.contains(unnamed_thanks(lang)), "{lang}: {body}");
        let (_, body) = reply("Alex Kim <alex@customer.example>", "Thank you", with_name);
        assert!(
            body.contains(named),
            "{lang}: {named:?} missing from {body}"
        );
        let own = format!("{name} Smith <customer@customer.example>");
        let (_, body) = reply(&own, "Thank you", with_name);
        assert!(body.contains(unnamed_thanks(lang)), "{lang}: {body}");
    }
}

#[test]
fn a_complaint_does_not_name_the_colleague_back_even_one_they_thanked() {
    let e = engine();
    let cases = [
        ("en", "Complaint about an agent", "Thanks to Maria from your support team for trying, but Tom from billing was very rude and hung up on me.", "Maria"),
        ("zh", "投诉客服", "感谢客服小王的耐心，但是昨天接电话的客服态度非常恶劣，直接挂了我的电话。", "小王"),
        ("he", "תלונה על נציג", "תודה רבה לדנה מהתמיכה על הסבלנות, אבל הנציג שדיבר איתי אתמול היה גס רוח וניתק לי באמצע השיחה.", "דנה"),
    ];
    for (lang, subject, text, thanked) in cases {
        let raw = mail("Alex Kim <alex@customer.example>", TO, subject, DATE, text);
        let o = e
            .triage(&raw, "test", &fixed_env(), None)
            .expect("triage runs");
        let body = o.draft.map(|d| d.body).unwrap_or_default();
        assert_eq!(
            o.category.as_deref(),
            Some("staff_complaint"),
            "{lang}: {body}"
        );
        // The name was read (an agent sees it in the signals), and the draft keeps it to itself.
        let refs = o.signals.map(|s| s.refs).unwrap_or_default();
        assert!(
            refs.iter()
                .any(|r| r.kind == "colleague" && r.value == thanked),
            "{lang}: {refs:?}"
        );
        assert!(!body.contains(thanked), "{lang}: {body}");
        assert!(!body.contains("Tom"), "{lang}: {body}");
    }
}

/// What the customer asked for, as the signals read it.
fn asks(o: &mailtriage::pipeline::Outcome) -> Vec<String> {
    o.signals
        .as_ref()
        .map(|s| s.asks.clone())
        .unwrap_or_default()
}

/// The outcome (signals, facts, draft) of a message.
fn outcome(subject: &str, date: &str, text: &str) -> mailtriage::pipeline::Outcome {
    engine()
        .triage(
            &mail("Alex <alex@customer.example>", TO, subject, date, text),
            "test",
            &fixed_env(),
            None,
        )
        .expect("triage runs")
}

/// (signals.deadline, draft body).
fn deadline_and_body(subject: &str, date: &str, text: &str) -> (Option<String>, String) {
    let o = outcome(subject, date, text);
    let body = o.draft.map(|d| d.body).unwrap_or_default();
    (o.signals.and_then(|s| s.deadline), body)
}

// Wednesday 9 December 2026, in the sender's own offset.
const WEDNESDAY: &str = "Wed, 09 Dec 2026 10:00:00";

/// Round 14 (ko he 03): an invoice copy asked for as "사본이 필요합니다" or "ביקשה העתק של
/// חשבונית" got the billing dispute's apology; a call asked for as "打个电话给我" got an email
/// promise (zh 02). Each is read as what it asks.
#[test]
fn copies_and_calls_asked_for_in_other_words_are_read() {
    let copies = [
        ("ko", "인보이스 사본 요청", "회계 마감 때문에 11월분 인보이스 사본이 필요합니다.\n인보이스 번호는 INV-2026-11-0482 입니다.\nPDF로 보내주시면 됩니다."),
        ("he", "העתק חשבונית", "הנהלת החשבונות שלנו ביקשה העתק של חשבונית מס' INV-2026-10482 מאוקטובר, לא מוצאים אותה אצלנו.\nאפשר לשלוח שוב למייל הזה?"),
    ];
    for (lang, subject, text) in copies {
        let o = outcome(subject, &format!("{WEDNESDAY} +0200"), text);
        let asks = asks(&o);
        assert!(asks.iter().any(|a| a == "copy"), "{lang}: {asks:?}");
        let body = o.draft.map(|d| d.body).unwrap_or_default();
        assert!(body.contains("INV-2026-1"), "{lang}: {body}");
    }
    let o = outcome(
        "电话沟通",
        &format!("{WEDNESDAY} +0800"),
        "你好，我们在配置共享文件夹权限时遇到一些问题，想请你们的技术人员打个电话给我。我的手机号是 138 1024 5566，明天下午2点-4点都可以。",
    );
    let asks = asks(&o);
    assert!(asks.iter().any(|a| a == "callback"), "zh: {asks:?}");
    let body = o.draft.map(|d| d.body).unwrap_or_default();
    assert!(body.contains("138 1024 5566"), "zh: {body}");
}

/// Round 14 (en fr et 15): beside the documents a letter lists, the sentence that only dates
/// them ("We would be grateful to receive these by 15 January") was quoted as a request to
/// take care of; the deadline line says it.
#[test]
fn a_line_that_only_dates_the_listed_details_is_not_quoted() {
    let o = outcome(
        "Supplier review",
        &format!("{WEDNESDAY} +0000"),
        "Dear Sir or Madam,\n\nAs part of our annual supplier review, we formally request the following documents:\n\n1. Your Data Processing Agreement;\n2. Your ISO 27001 certificate.\n\nWe would be grateful to receive these by 15 January 2027.\n\nYours faithfully,\nProcurement",
    );
    let body = o.draft.map(|d| d.body).unwrap_or_default();
    assert!(body.contains("- Your ISO 27001 certificate"), "{body}");
    assert!(!body.contains("> We would be grateful"), "{body}");
    assert!(body.contains("15 January"), "{body}");
}

/// Round 14 (he 19): "לא דחוף, רק מחשבה" (not urgent, just a thought) was marked urgent and
/// promised a same-day answer: saying it can wait outweighs the urgent word inside it.
#[test]
fn not_urgent_is_not_urgent() {
    let cases = [
        (
            "en",
            "An idea",
            "Not urgent, just a thought: it would be nice to have a dark mode in the web app.",
        ),
        (
            "de",
            "Idee",
            "Nicht dringend, nur eine Idee: ein dunkler Modus wäre schön.",
        ),
        (
            "he",
            "רעיון",
            "לא דחוף, רק מחשבה: יהיה נחמד אם יהיה מצב כהה באפליקציה.",
        ),
        (
            "ja",
            "要望",
            "急ぎではありませんが、ダークモードがあると嬉しいです。",
        ),
        ("zh", "建议", "不急，只是一个建议：希望能增加深色模式。"),
    ];
    for (lang, subject, text) in cases {
        let o = outcome(subject, &format!("{WEDNESDAY} +0000"), text);
        let priority = format!("{:?}", o.priority);
        assert!(!priority.contains("Urgent"), "{lang}: {priority}");
    }
}

/// Round 14 (de he ja 07 18): a complaint draft quoted the complaint itself or a plea ("please
/// have someone actually call me back this time") under "We'll also take care of this for
/// you". It restates only a second ask marked as one ("also", "außerdem", "另外").
#[test]
fn a_complaint_draft_restates_only_a_second_ask_marked_as_one() {
    // (language, subject, text, a plea never quoted, a marked second ask that is).
    let cases = [
        ("en", "Still no callback", "I have called your hotline four times this week and every time I was promised a call back within 24 hours. Nobody has called. Please have someone actually call me back this time.\n\nAlso, could you change the billing contact on our account to our finance team?", "call me back this time", Some("Also, could you change the billing contact")),
        ("de", "Keine Antwort", "Seit zwei Wochen warte ich auf eine Antwort auf meine Anfrage vom 20. November. Ich bitte Sie, sich endlich ordentlich darum zu kümmern.\n\nAußerdem: Könnten Sie bitte die Kontaktperson für Rechnungen auf unsere Buchhaltung umstellen?", "endlich ordentlich", Some("Könnten Sie bitte die Kontaktperson")),
        ("ja", "担当者の対応について", "昨日お電話した際の担当の方の対応が非常に失礼でした。話の途中で電話を切られました。きちんと対応していただけるようお願いします。", "きちんと対応していただけるよう", None),
        ("he", "אף אחד לא חזר אליי", "התקשרתי למוקד ארבע פעמים והבטיחו לי שיחזרו אליי תוך 24 שעות. אף אחד לא חזר. בבקשה שמישהו באמת יחזור אליי הפעם.", "יחזור אליי הפעם", None),
        ("zh", "两周没有回复", "我11月20日发的邮件到现在两周了都没有任何回复，连确认邮件都没有，太让人失望了。请你们认真处理一下。\n\n另外，请帮我们把账单联系人改成财务部的王丽。", "认真处理一下", Some("另外，请帮我们把账单联系人改成财务部的王丽。")),
    ];
    for (lang, subject, text, plea, second) in cases {
        let o = outcome(subject, &format!("{WEDNESDAY} +0000"), text);
        let category = o.category.clone().unwrap_or_default();
        assert!(
            ["staff_complaint", "slow_service", "repeat_contact"].contains(&category.as_str()),
            "{lang}: {category}"
        );
        let body = o.draft.map(|d| d.body).unwrap_or_default();
        let quoted: Vec<&str> = body.lines().filter(|l| l.starts_with("> ")).collect();
        assert!(
            !quoted.iter().any(|l| l.contains(plea)),
            "{lang}: {plea:?} quoted in\n{body}"
        );
        if let Some(second) = second {
            assert!(
                quoted.iter().any(|l| l.contains(second)),
                "{lang}: {second:?} not quoted in\n{body}"
            );
        }
    }
}

/// Round 13 (en es fr ko 22): a message that is only a how-to question was answered as a
/// lock-out ("two-factor"), a regression ("cambio") or a stock reply; it is a question. One
/// that also says something fails stays what the model reads.
#[test]
fn a_lone_how_to_question_is_a_question_whatever_its_topic() {
    let cases = [
        (
            "en",
            "2FA",
            "how do i turn on two-factor authentication for my account?",
        ),
        (
            "es",
            "Idioma",
            "¿Cómo cambio el idioma de la interfaz a inglés?",
        ),
        (
            "fr",
            "Corbeille",
            "Comment on vide la corbeille sur l'appli mobile ?",
        ),
        ("ko", "2단계 인증", "2단계 인증은 어디서 끄나요?"),
        ("zh", "手机号", "请问绑定的手机号怎么修改？"),
    ];
    for (lang, subject, text) in cases {
        let o = outcome(subject, &format!("{WEDNESDAY} +0000"), text);
        assert_eq!(o.category.as_deref(), Some("question"), "{lang}: {text}");
    }
    // A how-to that says the codes do not come is a sign-in problem.
    let o = outcome(
        "2FA",
        &format!("{WEDNESDAY} +0000"),
        "How do I sign in when the two-factor codes don't arrive on my phone any more?",
    );
    assert_eq!(o.category.as_deref(), Some("login"));
}

/// Round 13 (en de fr ja ko): the new user's name, address and role, or the documents a
/// formal letter lists, were set out line by line and the request draft named none of them,
/// then offered "to ask if we need anything else". The draft names each back as written
/// and asks for nothing more.
#[test]
fn details_set_out_line_by_line_are_named_back_in_the_request_draft() {
    // (language, subject, text, offset, the lines named back, the offer to ask for more).
    type Case = (
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static [&'static str],
        &'static str,
    );
    let cases: [Case; 7] = [
        ("en", "New user", "Hi,\n\nPlease add a new user to our account.\n\nName: Sarah Kim\nEmail: sarah.kim@corbett.example\nRole: Editor\n\nThanks,\nMark", "+0000", &["- Name: Sarah Kim", "- Role: Editor"], "anything else"),
        ("en", "Annual supplier review: documents requested", "Dear Sir or Madam,\n\nAs part of our annual supplier review, we formally request the following documents:\n\n1. Your Data Processing Agreement;\n2. Your ISO 27001 certificate;\n3. A list of sub-processors.\n\nYours faithfully,\nProcurement", "+0000", &["- Your Data Processing Agreement", "- Your ISO 27001 certificate", "- A list of sub-processors."], "anything else"),
        ("de", "Datenschutzprüfung", "Sehr geehrte Damen und Herren,\n\nim Rahmen unserer jährlichen Datenschutzprüfung bitten wir Sie um Übersendung folgender Unterlagen:\n\n- den aktuellen Auftragsverarbeitungsvertrag,\n- eine Liste der Unterauftragsverarbeiter.\n\nMit freundlichen Grüßen\nStadtwerke", "+0100", &["- den aktuellen Auftragsverarbeitungsvertrag", "- eine Liste der Unterauftragsverarbeiter."], "Rückfragen"),
        ("ja", "資料送付のお願い", "拝啓\n\n貴社ますますご清栄のこととお慶び申し上げます。年次監査のため、下記資料のご送付をお願い申し上げます。\n\n1. データ処理契約書\n2. ISO 27001認証書の写し\n\n敬具\n総務部", "+0900", &["- データ処理契約書", "- ISO 27001認証書の写し"], "お尋ねいたします"),
        ("fr", "Nouvel accès", "Bonjour,\n\nMerci de créer un accès pour une nouvelle collaboratrice :\n- Nom : Amélie Girard\n- Rôle : éditrice\n\nBien à vous,\nJulien", "+0100", &["- Nom : Amélie Girard", "- Rôle : éditrice"], "il nous manque"),
        ("ja", "ユーザー追加", "お世話になっております。\n\n新しいユーザーの追加をお願いいたします。\n\n氏名：小林 葵\nメールアドレス：aoi@aoba.example\n権限：編集者\n\nよろしくお願いします。", "+0900", &["- 氏名：小林 葵", "- 権限：編集者"], "お尋ねいたします"),
        ("ko", "사용자 추가", "안녕하세요.\n\n새 사용자 계정 추가 부탁드립니다.\n\n- 이름: 정하늘\n- 권한: 편집자\n\n감사합니다.", "+0900", &["- 이름: 정하늘", "- 권한: 편집자"], "여쭙겠습니다"),
    ];
    for (lang, subject, text, offset, named, offer) in cases {
        let o = outcome(subject, &format!("{WEDNESDAY} {offset}"), text);
        let draft = o.draft.clone().expect("a draft");
        assert!(
            draft.template.ends_with("request"),
            "{lang} {subject}: {} {:?} {:?}",
            draft.template,
            o.confidence,
            o.why
        );
        for line in named {
            assert!(
                draft.body.lines().any(|l| l == *line),
                "{lang}: {line:?} not in\n{}",
                draft.body
            );
        }
        assert!(
            !draft.body.contains(offer),
            "{lang}: {offer:?} in\n{}",
            draft.body
        );
    }
}

/// Round 11-12 (et): "vajate seda neljapäev, 31. detsember" put a weekday and a month in the
/// nominative where the sentence needs another case; Estonian drafts write the day in figures,
/// which any case reads.
#[test]
fn an_estonian_deadline_day_is_written_in_figures() {
    let (deadline, body) = deadline_and_body(
        "Aruanne",
        &format!("{WEDNESDAY} +0200"),
        "Tere! Palun saatke meile novembri aruanne hiljemalt reedeks, 11. detsembriks, sest see on meie raamatupidajale vaja. Aitäh!",
    );
    assert_eq!(deadline.as_deref(), Some("2026-12-11"), "{body}");
    assert!(body.contains("hiljemalt 11.12."), "{body}");
    assert!(!body.contains("detsember"), "{body}");
}

#[test]
fn a_dated_deadline_is_read_in_the_senders_day_and_written_the_languages_way() {
    let cases = [
        ("de", "Export des Prüfprotokolls", "Wie exportiere ich das Prüfprotokoll? Wir benötigen es bis zum 14. Dezember für die Prüfer.", "+0100", "2026-12-14", "Montag, 14. Dezember"),
        ("ja", "監査ログの出力について", "監査ログの出力方法を教えてください。12月14日までに監査法人へ提出する必要があります。", "+0900", "2026-12-14", "12月14日（月）"),
        ("ko", "사용 기록 내보내기 문의", "사용 기록을 내보내는 방법을 알려 주세요. 검토 자료를 12월 14일까지 꼭 제출해야 합니다.", "+0900", "2026-12-14", "12월 14일(월)"),
        ("he", "ייצוא יומן הביקורת", "איך אפשר לייצא את יומן הביקורת? אנחנו צריכים את הדוח עד ה-14 בדצמבר בשביל רואי החשבון.", "+0200", "2026-12-14", "יום שני, 14 בדצמבר"),
        ("es", "Exportar el registro de auditoría", "¿Cómo puedo exportar el registro de auditoría? Lo necesitamos antes del 14 de diciembre para los auditores.", "+0100", "2026-12-14", "lunes 14 de diciembre"),
    ];
    for (lang, subject, text, offset, iso, written) in cases {
        let (deadline, body) = deadline_and_body(subject, &format!("{WEDNESDAY} {offset}"), text);
        assert_eq!(deadline.as_deref(), Some(iso), "{lang}: {body}");
        assert!(
            body.contains(written),
            "{lang}: {written:?} missing from {body}"
        );
        assert!(!body.contains(iso), "{lang}: ISO date in {body}");
    }
    // "Tomorrow" is the sender's: 01:00 on Thursday in Beijing is still Wednesday in UTC.
    let (deadline, body) = deadline_and_body(
        "审计日志导出",
        "Thu, 10 Dec 2026 01:00:00 +0800",
        "请问怎么导出审计日志？我们明天之前必须交给审计师。",
    );
    assert_eq!(deadline.as_deref(), Some("2026-12-11"), "{body}");
    assert!(body.contains("12月11日（星期五）"), "{body}");
}

#[test]
fn a_weekday_deadline_is_the_next_such_day_and_an_until_that_is_no_deadline_is_not_one() {
    let cases = [
        ("en", "Audit log export", "How do I export the audit log? I need it by Friday for our auditors.", "+0000", "Friday 11 December"),
        ("ko", "사용 기록 내보내기", "사용 기록을 내보내는 방법을 알려 주세요. 금요일까지 검토팀에 보내야 합니다.", "+0900", "12월 11일(금)"),
        ("zh", "审计日志导出", "请问怎么导出审计日志？请在周五之前回复我，审计要用。", "+0800", "12月11日（星期五）"),
        ("he", "ייצוא יומן הביקורת", "איך מייצאים את יומן הביקורת? אני צריכה את זה עד יום שישי בשביל הביקורת.", "+0200", "יום שישי, 11 בדצמבר"),
        ("fr", "Export du journal d'audit", "Comment exporter le journal d'audit ? Nous en avons besoin d'ici vendredi pour nos auditeurs.", "+0100", "vendredi 11 décembre"),
    ];
    for (lang, subject, text, offset, written) in cases {
        let (deadline, body) = deadline_and_body(subject, &format!("{WEDNESDAY} {offset}"), text);
        assert_eq!(deadline.as_deref(), Some("2026-12-11"), "{lang}: {body}");
        assert!(
            body.contains(written),
            "{lang}: {written:?} missing from {body}"
        );
    }
    // "until Monday it worked", "I am away until Friday": how long, not by when.
    let cases = [
        (
            "de",
            "Export geht nicht mehr",
            "Bis Montag lief der Export problemlos, jetzt bricht er ab. Bitte prüfen Sie das.",
        ),
        (
            "ko",
            "내보내기 오류",
            "월요일까지는 내보내기가 잘 됐는데 지금은 오류가 납니다. 확인 부탁드립니다.",
        ),
        (
            "ja",
            "エクスポートできません",
            "月曜日までは正常にエクスポートできていましたが、今はエラーになります。",
        ),
        (
            "he",
            "הייצוא לא עובד",
            "עד יום שני הייצוא עבד בלי בעיה, ועכשיו הוא נכשל. תבדקו בבקשה.",
        ),
    ];
    for (lang, subject, text) in cases {
        let (deadline, body) = deadline_and_body(subject, &format!("{WEDNESDAY} +0100"), text);
        assert_eq!(deadline, None, "{lang}: {body}");
    }
}

#[test]
fn today_is_read_in_the_word_orders_and_forms_natives_use() {
    let e = engine();
    let cases = [
        ("et", "Eksport ei tööta", "Auditilogi eksport ei tööta. Meil on täna tähtaeg, palun aidake."),
        ("et", "Auditilogi", "Palun saatke mulle auditilogi tänaseks, audiitorid ootavad."),
        ("ko", "보고서 제출", "오늘 오전 중에 고객사 보고 자료를 받아야 해서 급합니다. 그런데 사용 기록 내보내기가 되지 않습니다."),
        ("ja", "エクスポートについて", "監査ログをエクスポートする方法を、今日の17時までに教えていただけますか。"),
    ];
    for (lang, subject, text) in cases {
        let (deadline, body) = deadline_and_body(subject, &format!("{WEDNESDAY} +0200"), text);
        assert_eq!(deadline.as_deref(), Some("today"), "{lang}: {body}");
        let today = e.templates.locale(lang).today();
        assert!(
            body.contains(today),
            "{lang}: {today:?} missing from {body}"
        );
    }
}

/// The fact kinds of a message.
fn fact_kinds(subject: &str, date: &str, text: &str) -> Vec<&'static str> {
    outcome(subject, date, text)
        .facts
        .iter()
        .map(|f| f.kind())
        .collect()
}

#[test]
fn an_incident_since_the_day_the_customer_names_is_confirmed_and_one_before_it_is_not() {
    // INC-77 (the dashboard) ran on 18 November 2026, 12:55–16:30 UTC. Each message is written
    // more than a day after it ended, and says the trouble began the day before: the incident
    // lies in that window, in the sender's offset.
    let cases = [
        (
            "ja",
            "ダッシュボードが開きません",
            "昨日からダッシュボードが全く表示されません。",
            "Fri, 20 Nov 2026 09:00:00 +0900",
        ),
        (
            "ko",
            "대시보드 오류",
            "어제부터 대시보드가 전혀 열리지 않습니다.",
            "Fri, 20 Nov 2026 09:00:00 +0900",
        ),
        (
            "he",
            "לוח הבקרה לא עובד",
            "מאתמול לוח הבקרה לא נטען בכלל, נראה שיש תקלה.",
            "Thu, 19 Nov 2026 20:00:00 +0200",
        ),
        (
            "de",
            "Dashboard lädt nicht",
            "Seit gestern lädt das Dashboard überhaupt nicht mehr.",
            "Thu, 19 Nov 2026 19:00:00 +0100",
        ),
        // 08:00 on the 20th in Beijing: "yesterday" began at 16:00 UTC on the 18th, while the
        // incident still ran.
        (
            "zh",
            "控制台打不开",
            "从昨天开始控制台就完全打不开了。",
            "Fri, 20 Nov 2026 08:00:00 +0800",
        ),
    ];
    for (lang, subject, text, date) in cases {
        let kinds = fact_kinds(subject, date, text);
        assert!(kinds.contains(&"incident_confirmed"), "{lang}: {kinds:?}");
        let o = outcome(subject, date, text);
        let body = o.draft.map(|d| d.body).unwrap_or_default();
        assert!(body.contains("INC-77"), "{lang}: {body}");
    }
    // The trouble began this morning, after the incident ended: not that incident, though a
    // report that names no start is still matched to one that ended less than a day before.
    let cases = [
        (
            "en",
            "Dashboard not loading",
            "Since this morning the dashboard does not load at all.",
            "Thu, 19 Nov 2026 09:00:00 +0000",
        ),
        (
            "de",
            "Dashboard lädt nicht",
            "Seit heute Morgen lädt das Dashboard überhaupt nicht mehr.",
            "Thu, 19 Nov 2026 10:00:00 +0100",
        ),
        (
            "he",
            "לוח הבקרה לא עובד",
            "מהבוקר לוח הבקרה לא נטען בכלל, נראה שיש תקלה.",
            "Thu, 19 Nov 2026 10:00:00 +0200",
        ),
        // 01:00 on the 20th in Seoul: the 20th began after the incident ended.
        (
            "ko",
            "대시보드 오류",
            "오늘 새벽부터 대시보드가 전혀 열리지 않습니다.",
            "Fri, 20 Nov 2026 01:00:00 +0900",
        ),
    ];
    for (lang, subject, text, date) in cases {
        let kinds = fact_kinds(subject, date, text);
        assert!(!kinds.contains(&"incident_confirmed"), "{lang}: {kinds:?}");
    }
}

/// Urgency words in a thank-you are praise ("everything back within the hour", "sofort
/// geholfen", "빨리 해결"): the note keeps its low priority.
#[test]
fn a_thank_you_that_praises_speed_is_not_urgent() {
    let cases = [
        (
            "en",
            "Thank you to Aisha",
            "I just wanted to say a huge thank you to Aisha, who helped us recover a deleted folder and had everything back within the hour. Please pass this on to her manager.",
        ),
        (
            "de",
            "Herzlichen Dank",
            "Vielen herzlichen Dank an Herrn Vogel, der uns gestern sofort und sehr freundlich geholfen hat. Bitte richten Sie ihm unseren Dank aus!",
        ),
        (
            "ko",
            "감사 인사",
            "어제 문제를 빨리 해결해 주신 김민수 님께 진심으로 감사드립니다. 덕분에 업무를 잘 마칠 수 있었습니다.",
        ),
    ];
    for (lang, subject, text) in cases {
        let o = outcome(subject, "Thu, 19 Nov 2026 09:00:00 +0000", text);
        assert_eq!(o.category.as_deref(), Some("thanks"), "{lang}");
        assert_eq!(o.priority, Some(Priority::Low), "{lang}");
    }
}

/// A category whose checks are empty (a thank-you, a staff complaint) gets no facts, even when
/// it names an incident: "thanks for fixing the dashboard yesterday" is not an outage claim.
#[test]
fn a_thank_you_for_a_fixed_incident_gets_no_facts() {
    // Each names INC-77's service, its failure and the status page, which the outage rules
    // count; the message is still a thank-you.
    let cases = [
        (
            "en",
            "Thanks for the quick fix",
            "Just a note to say thanks. Our dashboard stopped working for a few hours yesterday afternoon, and by the evening everything was back, with a clear note on your status page. That's how it should be handled.",
        ),
        (
            "de",
            "Danke für die schnelle Behebung",
            "Kurz ein Dankeschön: Gestern Nachmittag war das Dashboard ein paar Stunden lang ausgefallen, am Abend lief wieder alles, und auf Ihrer Statusseite stand klar, was los war. So muss das sein!",
        ),
        (
            "ko",
            "빠른 해결 감사합니다",
            "어제 오후 몇 시간 동안 대시보드가 장애로 열리지 않았는데, 저녁에는 다 정상으로 돌아왔고 상태 페이지 안내도 명확했습니다. 빠르게 해결해 주셔서 감사합니다.",
        ),
        (
            "ja",
            "迅速なご対応ありがとうございました",
            "昨日の午後、数時間ダッシュボードに障害が発生していましたが、夕方にはすべて復旧し、ステータスページの説明も分かりやすかったです。迅速にご対応いただき、ありがとうございました。",
        ),
        (
            "he",
            "תודה על הטיפול המהיר",
            "רק רציתי להגיד תודה. אתמול אחר הצהריים הייתה תקלה בלוח הבקרה במשך כמה שעות, ובערב הכול חזר לעבוד, עם הסבר ברור בדף הסטטוס. ככה צריך לטפל בזה.",
        ),
    ];
    for (lang, subject, text) in cases {
        let o = outcome(subject, "Thu, 19 Nov 2026 09:00:00 +0000", text);
        assert_eq!(o.category.as_deref(), Some("thanks"), "{lang}");
        assert!(o.facts.is_empty(), "{lang}: {:?}", o.facts);
    }
}

/// A call back is in question, and no number given, however the call is put: counted calls in
/// the present ("ya son cinco veces que llamo"), a Japanese request with the particle を ("折り返しお電話をいただけますでしょうか").
#[test]
fn callback_missing_for_call_requests_in_their_common_forms() {
    let cases = [
        (
            "es",
            "Nadie me regresa la llamada",
            "Ya son cuatro veces que llamo a su línea de soporte y nunca llama nadie de vuelta. Necesito una solución.",
        ),
        (
            "ja",
            "お電話でのご相談",
            "来月からのプラン変更について相談したいので、折り返しお電話をいただけますでしょうか。",
        ),
    ];
    for (lang, subject, text) in cases {
        let kinds = fact_kinds(subject, "Tue, 24 Nov 2026 10:00:00 +0100", text);
        assert!(
            kinds.contains(&"callback_missing"),
            "{lang} {text}: {kinds:?}"
        );
    }
}

/// The question and request drafts restate what the customer asked, in their words, as a
/// quoted line; a question only in quoted history or in the signature is not theirs to quote.
#[test]
fn question_and_request_drafts_quote_what_the_customer_asked() {
    let cases = [
        (
            "en",
            "question",
            "Hosting and payment",
            "Hello,\n\nWe are evaluating your product for our practice. Do you keep customer data in an EU data centre?\n\nThanks,\nAlex",
            "> Do you keep customer data in an EU data centre?",
        ),
        (
            "de",
            "question",
            "Datenstandort",
            "Guten Tag,\n\nwir überlegen, unsere Praxis auf Ihren Dienst umzustellen. Werden die Daten unserer Patienten ausschließlich in der EU gespeichert?\n\nMit freundlichen Grüßen\nAlex Berg",
            "> Werden die Daten unserer Patienten ausschließlich in der EU gespeichert?",
        ),
        (
            "ja",
            "question",
            "シングルサインオンについて",
            "お世話になっております。\n貴社サービスの導入を検討しております。\nMicrosoft Entra IDとのSAML連携によるシングルサインオンには対応していますか。\nよろしくお願いいたします。",
            "> Microsoft Entra IDとのSAML連携によるシングルサインオンには対応していますか。",
        ),
        (
            "zh",
            "question",
            "咨询",
            "您好，\n\n请问你们的专业版支持单点登录吗？我们正在评估是否购买。\n\n谢谢",
            "> 请问你们的专业版支持单点登录吗？",
        ),
        (
            "en",
            "request",
            "New user",
            "Hello,\n\nEmma Walsh joins our team on Monday. Please add Emma Walsh as a new user to our account.\n\nKind regards,\nAlex",
            "> Please add Emma Walsh as a new user to our account.",
        ),
    ];
    for (lang, category, subject, text, quoted) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert_eq!(template, format!("{lang}/{category}"), "{body}");
        assert!(body.contains(quoted), "{lang}: {quoted:?} not in\n{body}");
    }
    // Their only question is in the history they quote: nothing to restate.
    let (_, body) = reply(
        "Alex <alex@customer.example>",
        "Re: Export",
        "Hello,\n\nplease enable the export for our account.\n\nOn Sun, 22 Nov 2026 at 09:00, Support <support@example.com> wrote:\n> Which export format would you like us to enable for your account?\n",
    );
    assert!(!body.contains("> Which export"), "{body}");
}

#[test]
fn login_drafts_give_no_reset_link_where_its_mail_cannot_arrive() {
    let cases = [
        ("en", "Cannot sign in", "I can't log in to my account. The reset email goes to my old work address, and that mailbox has been closed."),
        ("de", "Anmeldung nicht möglich", "Ich kann mich nicht anmelden. Die Mail zum Zurücksetzen geht an meine alte Adresse, auf die ich keinen Zugriff mehr habe."),
        ("ko", "로그인 문의", "로그인이 안 됩니다. 비밀번호 재설정 메일이 예전 메일 주소로 가는데 그 주소는 이제 쓸 수 없습니다."),
        ("he", "בעיה בכניסה", "אני לא מצליחה להתחבר לחשבון. הודעת האיפוס נשלחת לכתובת הישנה שלי, שכבר לא פעילה."),
        ("ja", "ログインについて", "ログインできません。再設定のメールが以前の会社のメールアドレスに届くため、受け取ることができません。"),
    ];
    for (lang, subject, text) in cases {
        let (template, body) = reply("Sam Lee <sam@customer.example>", subject, text);
        assert_eq!(template, format!("{lang}/login"), "{body}");
        assert!(!body.contains(reset_advice(lang)), "{lang}: {body}");
    }
    // What we do instead is said: the address on the account is checked.
    let (_, body) = reply(
        "Sam Lee <sam@customer.example>",
        "Cannot sign in",
        cases[0].2,
    );
    assert!(body.contains("email address on your account"), "{body}");
}

#[test]
fn login_drafts_ask_for_no_other_address_once_the_customer_confirmed_theirs() {
    // (language, subject, text, the question for another address).
    let cases = [
        (
            "en",
            "Cannot sign in",
            "I can't sign in. I never received the password reset email, not even in spam.",
            "different one",
        ),
        (
            "fr",
            "Connexion impossible",
            "Je n'arrive pas à me connecter. Mon compte est bloqué depuis ce matin.",
            "autre adresse",
        ),
        (
            "ko",
            "로그인 문의",
            "로그인이 안 됩니다. 계정이 잠겼다고 나옵니다.",
            "다른 주소나 아이디",
        ),
        (
            "he",
            "החשבון ננעל",
            "אני לא מצליחה להתחבר, החשבון ננעל.",
            "כתובת אחרת",
        ),
    ];
    let confirmed = |lang: &str| match lang {
        "en" => " It's this address, the one I'm writing from.",
        "fr" => " C'est bien cette adresse, celle de mon compte.",
        "ko" => " 가입한 메일 주소는 지금 이 주소가 맞습니다.",
        "he" => " זו בדיוק הכתובת שממנה אני כותבת.",
        _ => unreachable!(),
    };
    for (lang, subject, text, ask) in cases {
        let from = "Robin Park <robin@customer.example>";
        // Without the confirmation the question is there: the signal, not the template, decides.
        let (_, body) = reply(from, subject, text);
        assert!(
            body.contains(ask),
            "{lang} asks without a confirmation: {body}"
        );
        let (template, body) = reply(from, subject, &format!("{text}{}", confirmed(lang)));
        assert_eq!(template, format!("{lang}/login"), "{body}");
        assert!(!body.contains(ask), "{lang}: {body}");
    }
}

#[test]
fn a_display_name_that_is_not_a_person_gets_the_generic_greeting() {
    // (language, display name, subject, text, the greeting line expected).
    let cases = [
        (
            "en",
            "Accounts Payable",
            "Copy of invoice",
            "Please send us a copy of invoice INV-30912.",
            "Hello,",
        ),
        (
            "de",
            "Buchhaltung Meyer GmbH",
            "Rechnungskopie",
            "Bitte senden Sie uns eine Kopie der Rechnung INV-30912.",
            "Guten Tag,",
        ),
        (
            "es",
            "Mª",
            "Copia de factura",
            "Por favor, envíenme una copia de la factura INV-30912.",
            "Hola:",
        ),
        (
            "he",
            "הנהלת חשבונות",
            "העתק חשבונית",
            "אפשר לקבל העתק של חשבונית INV-30912?",
            "שלום רב,",
        ),
    ];
    for (lang, name, subject, text, greeting) in cases {
        let (_, body) = reply(
            &format!("=?UTF-8?B?{}?= <office@firm.example>", b64(name)),
            subject,
            text,
        );
        let first = body.lines().next().unwrap_or_default();
        assert!(first.starts_with(greeting), "{lang} {name}: {body}");
        assert!(!first.contains(name), "{lang} {name}: {body}");
    }
    // A person is still greeted by name; a titled one by title and family name.
    let (_, body) = reply(
        "Dr Jane Smith <jane@firm.example>",
        "Copy of invoice",
        "Please send me a copy of invoice INV-30912.",
    );
    assert!(body.starts_with("Dear Dr Smith,"), "{body}");
}

/// RFC 2047 needs base64 for a display name in another script.
fn b64(s: &str) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let b = s.as_bytes();
    let mut out = String::new();
    for c in b.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// (new-branch words, the "it is fixed" words) of the incident paragraph, per language.
fn resolved_but_still_failing(lang: &str) -> (&'static str, &'static str) {
    match lang {
        "en" => ("still not working for you", "it has since been fixed"),
        "de" => ("immer noch besteht", "Die Störung ist behoben"),
        "fr" => ("toujours pas chez vous", "Le problème est résolu depuis"),
        "es" => ("siga sin funcionarle", "Ya está resuelta"),
        "zh" => ("您那边仍然无法正常使用", "目前已经修复"),
        "ja" => ("現在もご利用いただけない", "この障害はすでに解消しており"),
        "ko" => (
            "아직도 정상적으로 이용하지 못하고",
            "현재는 복구가 완료되었으며",
        ),
        "he" => ("שהבעיה עדיין לא נפתרה", "התקלה טופלה מאז"),
        "et" => ("ikka veel püsib", "Häire on nüüdseks kõrvaldatud"),
        other => panic!("no words for {other}"),
    }
}

/// Round 11 (en he): a cancellation with a question beside it put the question's quote ("We'll
/// also take care of this for you:") before the cancellation itself. The cancellation, with
/// the day it takes effect, comes first.
#[test]
fn a_cancellation_is_confirmed_before_the_question_beside_it() {
    let cases = [
        ("en", "Cancellation", "Please cancel our subscription effective 31 January 2027.\n\nCould you tell me how long we can still download our files after that?"),
        ("de", "Kündigung", "Hiermit kündigen wir unser Abonnement zum 31.01.2027.\n\nWie lange können wir danach noch unsere Dateien herunterladen?"),
        ("he", "ביטול", "אבקש לבטל את המנוי החל מ-31.01.2027.\n\nעד מתי נוכל להוריד את הקבצים שלנו אחרי זה?"),
        ("zh", "取消订阅", "请从2027年1月31日起取消我们的订阅。\n\n请问之后我们还能下载文件多久？"),
        ("ko", "해지", "2027년 1월 31일자로 해지 부탁드립니다.\n\n해지 후에도 파일을 언제까지 내려받을 수 있나요?"),
    ];
    for (lang, subject, text) in cases {
        let (_, body) = reply("Alex <alex@customer.example>", subject, text);
        let date = body.find("2027").unwrap_or(usize::MAX);
        let quote = body.find("\n> ").unwrap_or(usize::MAX);
        assert!(date < usize::MAX, "{lang}: no effective date in {body}");
        assert!(
            date < quote,
            "{lang}: the question comes before the cancellation in {body}"
        );
    }
}

/// Round 13 (en; round 11 he): a one-line fault ending in a question, and a professor's
/// question signed "With thanks and best regards", got the thank-you draft ("Kind words like
/// yours mean a lot"). A message with a question of its own and no thanks rule is no
/// thank-you note.
#[test]
fn a_question_is_not_thanked_for() {
    let cases = [
        ("en", "upload", "upload stuck at 99% for ages, what should i do?"),
        ("en", "Question about storage", "Dear support team,\n\nCould you tell me how long deleted files are kept before they are gone for good?\n\nWith thanks and best regards,\nProf. Eleanor Hart"),
    ];
    for (lang, subject, text) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert_ne!(template, format!("{lang}/thanks"), "{body}");
    }
}

/// Round 12 (es fr; round 11 et): "please answer by email only, don't call me" beside a how-to
/// question was read by the model as a complaint about calls, and the draft apologised for a
/// conversation that never happened. Without a complaint rule behind it, it is the question.
#[test]
fn an_email_only_wish_is_no_complaint() {
    let cases = [
        ("fr", "Question - merci de répondre par mail", "Bonjour,\n\nJe vous remercie de me répondre uniquement par e-mail, merci de ne pas m'appeler : je suis en réunion toute la semaine.\n\nMa question : comment partager un dossier avec un client externe en lecture seule ?"),
        ("es", "Duda (solo por correo, por favor)", "Hola,\n\nLes escribo con una duda, pero les pido por favor que me respondan solo por email y no me llamen: estoy en consulta todo el día.\n\n¿Cómo puedo compartir un calendario con otra persona para que lo vea pero no pueda modificarlo?"),
    ];
    for (lang, subject, text) in cases {
        let o = outcome(subject, DATE, text);
        let category = o.category.clone().unwrap_or_default();
        let body = o.draft.map(|d| d.body).unwrap_or_default();
        assert!(
            !["staff_complaint", "slow_service", "repeat_contact"].contains(&category.as_str()),
            "{lang}: filed {category}: {body}"
        );
    }
}

/// Round 12 (en): a complaint's second request phrased as a question ("could you also change
/// the billing contact…?") counted as a question and was dropped from the slow-service
/// draft; it is quoted under the promise to take care of it too.
#[test]
fn a_second_request_phrased_as_a_question_is_taken_up() {
    let cases = [
        ("en", "Still no answer", "I wrote to you two weeks ago about our storage quota and nobody has answered. While I have you: could you also change the billing contact on our account to ap@firm.example?"),
        ("de", "Keine Antwort", "Ich habe Ihnen vor zwei Wochen wegen unseres Speicherplatzes geschrieben und bis heute keine Antwort bekommen. Außerdem: Könnten Sie bitte den Rechnungskontakt auf ap@firm.example ändern?"),
        ("fr", "Toujours pas de réponse", "Je vous ai écrit il y a deux semaines au sujet de notre quota de stockage et personne ne m'a répondu. Par ailleurs, pourriez-vous changer le contact de facturation pour ap@firm.example ?"),
    ];
    for (lang, subject, text) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert_eq!(template, format!("{lang}/slow_service"), "{body}");
        assert!(
            body.contains("ap@firm.example"),
            "{lang}: the second request is dropped: {body}"
        );
    }
}

/// Round 12 (all nine): "Access denied" on the customer's own folder got a stock
/// acknowledgement ("Thank you for getting in touch", "we'll confirm it's done") or a request
/// for the error message they had quoted. Whatever the category, the draft apologises, names
/// no request for the error, and promises to check the account's permissions.
#[test]
fn a_refused_access_is_apologised_for_and_the_permissions_checked() {
    let cases = [
        ("en", "Access denied", "Since this morning I get \"Access denied\" when I open files in our shared folder Contracts 2026, which I own. Can you check?", &["access error", "permissions"][..]),
        ("zh", "拒绝访问", "从今天早上开始，我打开共享文件夹\"合同2026\"时一直提示\"拒绝访问\"，请帮忙看看。", &["很抱歉", "权限设置"][..]),
        ("he", "אין הרשאה", "מהבוקר כשאני פותח את התיקייה המשותפת \"פרויקטים 2026\" מופיע \"אין הרשאה\". אפשר לבדוק?", &["צר לנו", "ההרשאות"][..]),
        ("ja", "アクセス拒否", "今朝から共有フォルダ「契約2026」を開くと「アクセスが拒否されました」と表示されます。確認をお願いします。", &["申し訳", "権限"][..]),
        ("fr", "Accès refusé", "Depuis ce matin, j'ai le message \"Accès refusé\" sur notre dossier partagé Chantiers. Pouvez-vous vérifier ?", &["désolés", "droits d'accès"][..]),
    ];
    for (lang, subject, text, words) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        for w in words {
            assert!(
                body.contains(w),
                "{lang} ({template}): {w:?} missing from {body}"
            );
        }
        for asked in [
            "error message",
            "message d'erreur",
            "הודעת השגיאה",
            "エラーメッセージ",
            "错误信息",
        ] {
            assert!(
                !body.contains(asked),
                "{lang}: asks for the error again: {body}"
            );
        }
    }
}

/// Round 11 (en es fr he ja ko zh): the drafts never said back the steps the customer had
/// already taken (spam folder checked, cache cleared, another device tried), so the customer
/// could not see we read them. Each is named once, in the draft's words.
#[test]
fn the_steps_they_already_took_are_named_back() {
    let cases = [
        (
            "en",
            "Reset email",
            "I asked for a password reset three times but the email never arrives. I've checked my spam and junk folders, nothing there.",
            &["checking your spam folder"][..],
        ),
        (
            "en",
            "Backups failing",
            "Our backups keep failing with an error. I've restarted the server and cleared the cache, no change.",
            &["restarting", "clearing your cache"][..],
        ),
        (
            "de",
            "Synchronisierung",
            "Die Synchronisierung bricht seit gestern mit einem Fehler ab. Ich habe den Cache geleert und es auf einem anderen Gerät probiert, ohne Erfolg.",
            &["den Cache geleert", "ein anderes Gerät oder einen anderen Browser ausprobiert"][..],
        ),
        (
            "he",
            "איפוס סיסמה",
            "ביקשתי איפוס סיסמה פעמיים והמייל לא הגיע. בדקתי גם בתיקיית הספאם ואין שם כלום.",
            &["בדקתם את תיקיית הספאם"][..],
        ),
        (
            "ja",
            "パスワード再設定メール",
            "パスワード再設定のメールを3回依頼しましたが、届きません。迷惑メールフォルダも確認しましたが、ありませんでした。",
            &["迷惑メールフォルダのご確認"][..],
        ),
        (
            "ko",
            "비밀번호 재설정 메일",
            "비밀번호 재설정 메일을 두 번 요청했는데 오지 않습니다. 스팸함도 확인했는데 없습니다.",
            &["스팸함 확인"][..],
        ),
        (
            "zh",
            "重置邮件收不到",
            "我申请了三次密码重置，但一直收不到邮件。垃圾邮件箱也查看过了，没有。",
            &["查看垃圾邮件文件夹"][..],
        ),
    ];
    for (lang, subject, text, named) in cases {
        let (_, body) = reply("Alex <alex@customer.example>", subject, text);
        for n in named {
            assert_eq!(
                body.matches(n).count(),
                1,
                "{lang}: {n:?} not named once in {body}"
            );
        }
    }
}

/// Round 11 (es et fr): a customer who writes that the status page calls the incident fixed
/// but it still fails for them was filed `general` (the model was unsure) and got a stock
/// acknowledgement, (fr) "Merci de vérifier notre compte" a thank-you; (en) "still not
/// getting" was not read as still failing and the draft said everything works again. A
/// message a known incident confirms is answered as an outage, and today.
#[test]
fn a_still_failing_incident_is_answered_as_one_even_when_the_model_is_unsure() {
    let cases = [
        (
            "en",
            "Reports",
            "Your status page says yesterday's problem is fixed, but we're still not getting the dashboard to show our figures. Can you check our account?",
        ),
        (
            "es",
            "Cuenta eu-2",
            "He visto que la incidencia de ayer figura como resuelta, pero a nosotros el panel de control sigue sin cargar. ¿Pueden revisarlo, por favor?",
        ),
        (
            "fr",
            "Compte",
            "Vous indiquez que l'incident d'hier est clos, mais chez nous le tableau de bord ne s'affiche toujours pas. Merci de vérifier notre compte.",
        ),
        (
            "et",
            "Konto",
            "Nägin, et eilne rike on lahendatud, aga meil töölaud ikka ei tööta. Palun kontrollige meie kontot.",
        ),
    ];
    for (lang, subject, text) in cases {
        let o = outcome(subject, "Thu, 19 Nov 2026 09:00:00 +0100", text);
        // Round 14 (en es fr ja ko zh 12): a failure that outlasted the fix is answered today.
        let priority = format!("{:?}", o.priority);
        assert!(priority.contains("Urgent"), "{lang}: {priority}");
        let body = o.draft.map(|d| d.body).unwrap_or_default();
        let today = [
            ("en", "today"),
            ("es", "hoy mismo"),
            ("fr", "dans la journée"),
            ("et", "veel täna"),
        ];
        let today = today
            .iter()
            .find(|(l, _)| *l == lang)
            .map_or("", |(_, t)| t);
        assert!(body.contains(today), "{lang}: {today:?} not in {body}");
        assert_eq!(o.category.as_deref(), Some("outage"), "{lang}: {body}");
        let (new, fixed) = resolved_but_still_failing(lang);
        assert!(body.contains(new), "{lang}: {new:?} missing from {body}");
        assert!(!body.contains(fixed), "{lang}: told it is fixed: {body}");
        assert!(body.contains("INC-77"), "{lang}: {body}");
    }
}

#[test]
fn a_resolved_incident_is_not_called_fixed_to_a_customer_who_says_it_still_fails() {
    // INC-77 ran on 18 November 2026 from 12:55 to 16:30 UTC. Each language: a message the
    // next morning saying it still or again fails, then one written during the incident.
    let cases = [
        (
            "en",
            "Dashboard still down",
            "The dashboard is still not loading this morning. I thought it was fixed yesterday?",
            "Thu, 19 Nov 2026 09:00:00 +0000",
            "The dashboard is still not loading, it has been down for an hour now.",
            "Wed, 18 Nov 2026 14:10:00 +0000",
            &["4:30 pm", "UK time"][..],
        ),
        (
            "de",
            "Dashboard lädt nicht",
            "Das Dashboard lädt immer noch nicht, auch heute Morgen ist es komplett ausgefallen.",
            "Thu, 19 Nov 2026 09:00:00 +0100",
            "Das Dashboard lädt immer noch nicht, seit einer Stunde ist es komplett ausgefallen.",
            "Wed, 18 Nov 2026 15:10:00 +0100",
            &["17:30", "MEZ"][..],
        ),
        (
            "ja",
            "ダッシュボードが開きません",
            "今朝もダッシュボードがまだ表示されません。昨日直ったはずなのに、障害が続いているようです。",
            "Thu, 19 Nov 2026 09:00:00 +0900",
            "ダッシュボードがまだ表示されません。障害が発生しているようです。",
            "Wed, 18 Nov 2026 23:10:00 +0900",
            &["1時30分", "日本時間"][..],
        ),
        (
            "he",
            "לוח הבקרה לא עובד",
            "לוח הבקרה עדיין לא נטען גם הבוקר, נראה שיש שוב תקלה.",
            "Thu, 19 Nov 2026 09:00:00 +0200",
            "לוח הבקרה עדיין לא נטען, נראה שיש תקלה.",
            "Wed, 18 Nov 2026 16:10:00 +0200",
            &["18:30", "שעון ישראל"][..],
        ),
    ];
    for (lang, subject, after, after_date, during, during_date, times) in cases {
        let (new, fixed) = resolved_but_still_failing(lang);
        let (template, body) = draft(&mail(
            "Alex <alex@customer.example>",
            TO,
            subject,
            after_date,
            after,
        ));
        assert_eq!(template, format!("{lang}/outage"), "{body}");
        assert!(body.contains(new), "{lang}: {new:?} missing from {body}");
        assert!(!body.contains(fixed), "{lang}: told it is fixed: {body}");
        assert!(body.contains("INC-77"), "{lang}: {body}");
        // Round-9 reviews (ja ko es): the status page is linked here too.
        assert!(
            body.contains("status.example.com/incidents/INC-77"),
            "{lang}: no status link in {body}"
        );
        for t in times {
            assert!(body.contains(t), "{lang}: {t:?} missing from {body}");
        }
        // Written while the incident ran: the plain confirmation.
        let (template, body) = draft(&mail(
            "Alex <alex@customer.example>",
            TO,
            subject,
            during_date,
            during,
        ));
        assert_eq!(template, format!("{lang}/outage"), "{body}");
        assert!(body.contains(fixed), "{lang}: no confirmation: {body}");
        assert!(!body.contains(new), "{lang}: {body}");
    }
}

/// Short notes of one or two sentences, written for this test: British and American English,
/// and French and German controls. whatlang alone read several English ones as French or
/// German ("licence", "centre").
const SHORT_NOTES: &[(&str, &str, &str)] = &[
    ("en", "Quick one", "Cheers, sorted now."),
    ("en", "Login", "Can't log in since Tuesday, any ideas?"),
    ("en", "Invoice", "Invoice attached is wrong, ta."),
    (
        "en",
        "Licence",
        "Hi,\r\nPlease cancel our second licence.\r\nThanks, Simon",
    ),
    (
        "en",
        "Licence",
        "Please cancel the second licence by Friday.",
    ),
    (
        "en",
        "Hosting",
        "Hi, our data centre preference is London. Regards, Jo",
    ),
    (
        "en",
        "Dashboard",
        "The dashboard was down yesterday between 2pm and 5pm.",
    ),
    (
        "en",
        "Dashboard",
        "Hi, the dashboard was down yesterday between 2pm and 5pm. Thanks, Jo",
    ),
    (
        "en",
        "Thanks",
        "I'd like to thank Priya for her help yesterday.",
    ),
    ("en", "Thanks", "Brilliant service, thanks Priya!"),
    ("en", "Complaint", "Your service is terrible."),
    ("en", "Dashboard", "The dashboard isn't loading."),
    ("en", "Call", "Can you call me back please?"),
    ("en", "Invoice", "Invoice INV-30912 please."),
    ("en", "Sync", "Sync stopped again after the update."),
    (
        "en",
        "Portal",
        "Colour scheme on the portal is broken in Firefox.",
    ),
    (
        "en",
        "Payment",
        "Cheque sent on Monday, please confirm receipt.",
    ),
    (
        "en",
        "Demo",
        "Please organise a demo for our programme team.",
    ),
    ("en", "Password", "Password reset email never came through."),
    ("en", "Ticket", "Still waiting on a reply, mate."),
    ("en", "Refund", "Any update on my refund?"),
    (
        "en",
        "Billing",
        "Got charged twice this month, please sort it.",
    ),
    ("en", "App", "App keeps crashing on startup, cheers."),
    ("en", "Upload", "Files won't upload, error 502."),
    ("en", "Access", "Need access today please, urgent."),
    ("en", "Plan", "Cancelled my plan but still billed."),
    ("en", "Fixed", "Ta for the quick fix!"),
    ("en", "Login", "Login page just spins forever."),
    ("en", "Question", "Is there a UK data centre option?"),
    ("en", "Release", "Great job on the new release, loving it."),
    ("en", "Export", "Can't find the export button anymore."),
    ("en", "Reset", "Reset link expired, send another?"),
    ("fr", "Merci", "Merci, c'est réglé."),
    (
        "fr",
        "Connexion",
        "Je n'arrive plus à me connecter depuis mardi.",
    ),
    (
        "fr",
        "Licence",
        "Pouvez-vous annuler notre deuxième licence ?",
    ),
    ("fr", "Facture", "La facture jointe est fausse."),
    (
        "fr",
        "Tableau de bord",
        "Le tableau de bord ne charge plus.",
    ),
    ("de", "Danke", "Danke, hat sich erledigt."),
    (
        "de",
        "Anmeldung",
        "Ich kann mich seit Dienstag nicht anmelden.",
    ),
    ("de", "Lizenz", "Bitte kündigen Sie unsere zweite Lizenz."),
    ("de", "Rechnung", "Die Rechnung im Anhang ist falsch."),
    ("de", "Dashboard", "Das Dashboard lädt nicht mehr."),
    // One-line how-to questions, no greeting (round-7 et: an English login draft).
    ("et", "Konto", "Kuidas ma oma konto sulgen?"),
    ("et", "Arve", "Miks arve summa muutus?"),
    ("et", "Kasutaja", "Kuhu ma uue kasutaja lisan?"),
    // A one-line request (round 12: answered in English).
    (
        "et",
        "Aruanne",
        "Palun saatke aruanne hiljemalt reedeks, 11. detsembriks.",
    ),
    ("es", "Cuenta", "¿Cómo cierro mi cuenta?"),
    (
        "es",
        "Factura",
        "¿Dónde cambio la dirección de facturación?",
    ),
    (
        "fr",
        "Facture",
        "Où puis-je changer l'adresse de facturation ?",
    ),
    ("fr", "Compte", "Pourquoi mon compte est-il bloqué ?"),
    ("de", "Konto", "Wie lösche ich mein Konto?"),
];

#[test]
fn short_notes_are_answered_in_the_language_they_are_written_in() {
    let wrong: Vec<String> = SHORT_NOTES
        .iter()
        .filter_map(|(want, subject, text)| {
            let got = outcome(subject, DATE, text).language;
            (got != *want).then(|| format!("{want} -> {got}: {text:?}"))
        })
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// The apology word of each language, counted in an incident paragraph.
fn apology(lang: &str) -> &'static str {
    match lang {
        "en" => "sorry",
        "de" => "leid",
        "ja" => "申し訳",
        "ko" => "죄송",
        "he" => "צר לנו",
        "zh" => "抱歉",
        other => panic!("no apology word for {other}"),
    }
}

#[test]
fn an_outage_that_still_fails_is_apologised_for_once() {
    // INC-77 resolved on 18 November 2026 at 16:30 UTC; each writes the next morning that it
    // still fails. The incident paragraph opens with the apology: no second one before it.
    for (lang, subject, text, date) in [
        (
            "en",
            "Dashboard still down",
            "The dashboard is still not loading this morning.",
            "Thu, 19 Nov 2026 09:00:00 +0000",
        ),
        (
            "de",
            "Dashboard lädt nicht",
            "Das Dashboard lädt immer noch nicht, auch heute Morgen ist es komplett ausgefallen.",
            "Thu, 19 Nov 2026 09:00:00 +0100",
        ),
        (
            "ja",
            "ダッシュボードが開きません",
            "今朝もダッシュボードがまだ表示されません。障害が続いているようです。",
            "Thu, 19 Nov 2026 09:00:00 +0900",
        ),
        (
            "ko",
            "대시보드 장애",
            "대시보드가 오늘 아침에도 아직도 안 열립니다. 장애가 계속되는 것 같습니다.",
            "Thu, 19 Nov 2026 09:00:00 +0900",
        ),
        (
            "he",
            "לוח הבקרה לא עובד",
            "לוח הבקרה עדיין לא נטען גם הבוקר, נראה שיש שוב תקלה.",
            "Thu, 19 Nov 2026 09:00:00 +0200",
        ),
    ] {
        let (template, body) = draft(&mail(
            "Alex <alex@customer.example>",
            TO,
            subject,
            date,
            text,
        ));
        assert_eq!(template, format!("{lang}/outage"), "{body}");
        assert!(body.contains("INC-77"), "{lang}: {body}");
        let n = body.matches(apology(lang)).count();
        assert_eq!(n, 1, "{lang}: {n} apologies in {body}");
    }
}

#[test]
fn openers_state_no_stock_value_slogans() {
    // The value sentences the round-5 reviewers quoted as translated ("Of course you should be
    // able to sign in whenever you want to", "Es lógico que espere…"): none is left in a draft.
    for (lang, from, subject, text, slogan) in [
        (
            "en",
            "Rachel <rachel@customer.example>",
            "Can't log in",
            "I can't log in to my account since this morning.",
            "whenever you want to",
        ),
        (
            "es",
            "Elena <elena@customer.example>",
            "No puedo entrar",
            "No puedo iniciar sesión en mi cuenta desde esta mañana.",
            "Es lógico",
        ),
        (
            "et",
            "Kristi <kristi@customer.example>",
            "Ei saa sisse",
            "Ma ei saa oma kontole sisse logida.",
            "peaksite pääsema",
        ),
        (
            "zh",
            "王芳 <wang@customer.example>",
            "无法登录",
            "我从今天早上开始无法登录账户。",
            "本是我们应该做到的",
        ),
        (
            "ko",
            "김민준 <kim@customer.example>",
            "업데이트 후 기능 오류",
            "업데이트 이후에 보고서 내보내기 기능이 작동하지 않습니다. 예전에는 잘 되었습니다.",
            "잘 되던 기능은",
        ),
        (
            "he",
            "דנה <dana@customer.example>",
            "לא מצליחה להיכנס",
            "אני לא מצליחה להיכנס לחשבון שלי מהבוקר.",
            "בכל רגע",
        ),
    ] {
        let (_, body) = reply(from, subject, text);
        assert!(!body.contains(slogan), "{lang}: {slogan:?} in {body}");
    }
}

#[test]
fn a_login_draft_does_not_offer_the_reset_link_after_a_reset_said_in_other_words() {
    for (lang, from, subject, text) in [
        ("de", "Julia Weber <julia@customer.example>", "Anmeldung", "Ich kann mich nicht anmelden. Das Passwort habe ich testweise schon zurückgesetzt, es geht trotzdem nicht."),
        ("zh", "郑浩 <zheng@customer.example>", "无法登录", "我登录不了账户，也试过重置密码，还是不行。"),
        ("he", "רונית <ronit@customer.example>", "לא מצליחה להתחבר", "אני לא מצליחה להתחבר לחשבון. את הסיסמה כבר איפסתי פעמיים."),
    ] {
        let (template, body) = reply(from, subject, text);
        assert_eq!(template, format!("{lang}/login"), "{body}");
        assert!(!body.contains(reset_advice(lang)), "{lang}: reset link offered: {body}");
    }
}

#[test]
fn a_deadline_at_a_time_of_day_is_named_in_the_drafts_clock() {
    let cases = [
        (
            "en",
            "Quote needed",
            "Please send the quote for 35 users, I need it by 3 pm.",
            "+0000",
            "before 3 pm today",
        ),
        (
            "de",
            "Angebot",
            "Bitte schicken Sie mir das Angebot, wir brauchen es spätestens bis 15 Uhr.",
            "+0100",
            "heute noch vor 15 Uhr",
        ),
        (
            "ja",
            "見積書の送付",
            "35ユーザー分の見積書を15時までにお送りください。",
            "+0900",
            "本日15時より前",
        ),
        (
            "ko",
            "견적서 요청",
            "35명 기준 견적서를 오후 3시까지 꼭 보내 주세요.",
            "+0900",
            "오늘 15시 전까지",
        ),
        (
            "he",
            "הצעת מחיר",
            "אני צריכה את הצעת המחיר עד 15:00, בבקשה.",
            "+0200",
            "היום לפני 15:00",
        ),
    ];
    for (lang, subject, text, offset, said) in cases {
        let o = outcome(subject, &format!("{WEDNESDAY} {offset}"), text);
        let signals = o.signals.expect("signals");
        assert_eq!(signals.deadline.as_deref(), Some("today"), "{lang}");
        assert_eq!(signals.deadline_time.as_deref(), Some("15:00"), "{lang}");
        let body = o.draft.map(|d| d.body).unwrap_or_default();
        assert!(body.contains(said), "{lang}: {said:?} missing from {body}");
    }
}

/// A request the pipeline recognises is said back in our words, with the invoice number it
/// names, and its sentence is not quoted as well; a question it does not recognise is quoted
/// beside it (round-5 reviews: the quote picked a polite or wrong sentence, de and ko wanted
/// the ask restated).
#[test]
fn recognised_requests_are_restated_and_only_the_rest_is_quoted() {
    // (language, subject, text, the restatement, the sentence restated, the quoted question).
    let cases = [
        (
            "en",
            "Invoice copy",
            "Hello,\n\nI hope you can help. Could you please send me a copy of invoice INV-4471? Our auditors need it.\n\nThanks,\nAlex",
            "We'll email you a copy of invoice INV-4471",
            "send me a copy",
            None,
        ),
        (
            "de",
            "Neuer Benutzer für Frau Krüger",
            "Guten Tag,\n\nbitte legen Sie für unsere neue Kollegin Frau Sabine Krüger einen neuen Benutzer an, sie fängt am Montag bei uns an. Werden die Daten ausschließlich in der EU gespeichert?\n\nMit freundlichen Grüßen\nAlex Berg",
            "Sie möchten einen neuen Benutzer für Ihr Konto.",
            "neuen Benutzer an",
            Some("> Werden die Daten ausschließlich in der EU gespeichert?"),
        ),
        (
            "zh",
            "新用户",
            "您好，\n\n请帮我们添加一个新用户，给新来的同事王芳使用。另外，你们的数据是存放在国内的服务器上吗？\n\n谢谢",
            "您希望为账户添加一位新用户",
            "添加一个新用户",
            Some("> 另外，你们的数据是存放在国内的服务器上吗？"),
        ),
        (
            "he",
            "חשבונית",
            "שלום,\n\nאפשר בבקשה לשלוח לי את החשבונית INV-4471 שוב? רואה החשבון צריך אותה.\n\nתודה",
            "INV-4471",
            "לשלוח לי את החשבונית",
            None,
        ),
    ];
    for (lang, subject, text, restated, sentence, quoted) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert_eq!(template, format!("{lang}/request"), "{body}");
        assert!(
            body.contains(restated),
            "{lang}: {restated:?} not in\n{body}"
        );
        assert!(
            !body
                .lines()
                .any(|l| l.starts_with('>') && l.contains(sentence)),
            "{lang}: the restated sentence is quoted as well:\n{body}"
        );
        match quoted {
            Some(q) => assert!(body.contains(q), "{lang}: {q:?} not in\n{body}"),
            None => assert!(!body.contains("\n>"), "{lang}: nothing to quote:\n{body}"),
        }
    }
}

/// A complaint that also asks for something we recognise (an invoice copy, moving the account
/// to a new address) apologises first and answers the second request as well, also when the
/// customer needs it today (the Spanish drafts dropped it with the urgency line).
#[test]
fn a_second_request_beside_a_complaint_is_answered() {
    // (language, subject, text, the answer to the second request).
    let cases = [
        (
            "en",
            "Still no answer",
            "Hello,\n\nI have been waiting two weeks for anyone to answer my ticket and nobody has replied. This is unacceptable.\n\nAlso, we have moved: please change the billing address to 12 Harbour Street, Leeds LS1 4AB.\n\nAlex",
            "We'll also change the address on your account",
        ),
        (
            "de",
            "Keine Antwort",
            "Guten Tag,\n\nseit drei Wochen wartet unsere Buchhaltung auf eine Antwort, niemand meldet sich. Das ist unzumutbar.\n\nAußerdem haben wir eine neue Rechnungsanschrift: Hauptstraße 5, 10115 Berlin.\n\nMit freundlichen Grüßen\nAlex Berg",
            "Auch die Adresse in Ihrem Konto ändern wir",
        ),
        (
            "zh",
            "一直没人回复",
            "你好，\n\n我们两周前提交的工单到现在都没有人回复，实在太慢了，非常不满意。\n\n另外，我们公司搬家了，请把账单地址修改为上海市浦东新区世纪大道100号。\n\n谢谢",
            "账户地址我们也会改为您提供的新地址",
        ),
        (
            "he",
            "אין תשובה",
            "שלום,\n\nאני מחכה כבר שבועיים לתשובה על הפנייה שלי ואף אחד לא חוזר אליי. זה לא מקובל.\n\nבנוסף, עברנו משרד: בבקשה לעדכן את הכתובת בחשבון לרחוב הרצל 10, תל אביב.\n\nתודה",
            "נעדכן גם את הכתובת בחשבון",
        ),
        (
            "es",
            "Sin respuesta",
            "Hola:\n\nLlevo dos semanas esperando una respuesta a mi consulta y nadie me contesta. Es inaceptable. Lo necesito hoy mismo.\n\nAdemás, ¿me pueden enviar una copia de la factura FAC-2026-118?\n\nSaludos,\nAlex",
            "FAC-2026-118",
        ),
    ];
    for (lang, subject, text, answer) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert_eq!(template, format!("{lang}/slow_service"), "{body}");
        assert!(body.contains(answer), "{lang}: {answer:?} not in\n{body}");
    }
}

/// A first message asking for a call is never told it had to contact us several times: the
/// learned model alone filed such requests `repeat_contact` (round-5 reviews, seven
/// languages), and that draft now apologises for repeated contact only when the message says
/// so. "Give me a ring on …" is a call request with a number.
#[test]
fn a_first_call_request_is_not_thanked_for_contacting_us_several_times() {
    let cases = [
        ("en", "more than once", "Phone call please", "Hello, could someone from your team give me a ring on 07700 900456 this week? I'd like to go through moving our office to the yearly plan. Thanks, Priya"),
        ("en", "more than once", "Call", "Hi there, please give us a call on 020 7946 0877 about upgrading our account. Cheers, Sam"),
        ("ko", "여러 번", "전화 상담 요청", "안녕하세요. 연간 요금제 전환 건으로 상담받고 싶습니다. 010-3456-7890으로 전화 부탁드립니다."),
        ("he", "שוב ושוב", "בקשה לשיחה", "שלום, אשמח אם מישהו יחזור אליי בטלפון 052-7650000 לגבי מעבר לתוכנית שנתית. תודה"),
        ("es", "varias veces", "Llamada", "Hola, ¿podrían llamarme al 612 000 678? Quiero consultar el cambio al plan anual. Gracias."),
    ];
    for (lang, repeated, subject, text) in cases {
        let o = outcome(subject, DATE, text);
        let body = o.draft.map(|d| d.body).unwrap_or_default();
        assert!(!body.is_empty(), "{lang}: no draft");
        assert!(!body.contains(repeated), "{lang}: {body}");
    }
    let o = outcome("Phone call please", DATE, cases[0].3);
    let signals = o.signals.expect("signals");
    assert!(signals.asks.iter().any(|a| a == "callback"), "{signals:?}");
    assert_eq!(
        signals.phone.as_deref(),
        Some("07700 900456"),
        "{signals:?}"
    );
}

/// A call asked for with a number is promised in every draft, not only in the complaint
/// drafts that had a callback paragraph: a question, request or general draft promised an
/// email answer to someone who asked for a call (round-6 reviews, de ja ko he et). The number
/// is named once, also where the complaint's own paragraph already names it.
#[test]
fn a_call_asked_for_with_a_number_is_promised_whatever_the_category() {
    let cases = [
        ("en", "Our account", "Hi, can you call me back on +44 20 7946 0018 when you have a moment? It's about our account. Tom", "+44 20 7946 0018"),
        ("es", "Llamada", "Hola, ¿podrían llamarme al 612 345 678? Quiero consultar el cambio al plan anual. Gracias.", "le llamaremos al 612 345 678"),
        ("et", "Palun helistage", "Tere! Palun helistage mulle numbril 5123 4567, soovin arutada aastapaketile üleminekut. Aitäh!", "helistame Teile numbril 5123 4567"),
        ("ja", "お電話のお願い", "お世話になっております。年間プランへの切り替えについてご相談したく、090-1111-2222までお電話いただけますでしょうか。よろしくお願いいたします。", "（090-1111-2222）へお電話いたします"),
        ("ko", "전화 요청", "안녕하세요. 연간 요금제로 변경하는 건에 대해 상담을 받고 싶습니다. 010-2345-6789로 전화 부탁드립니다.", "(010-2345-6789)로"),
    ];
    for (lang, subject, text, promised) in cases {
        let (template, body) = reply("Kim <kim@customer.example>", subject, text);
        assert!(template.starts_with(lang), "{template}");
        assert!(
            body.contains(promised),
            "{lang}: {promised:?} not in\n{body}"
        );
    }
    let (template, body) = reply(
        "Alex <alex@customer.example>",
        "Still no answer",
        "I have been waiting for two weeks for an answer to my ticket and nobody has replied. Please call me back on +44 20 7946 0321.",
    );
    assert_eq!(template, "en/slow_service", "{body}");
    assert_eq!(body.matches("7946 0321").count(), 1, "{body}");
}

/// The area key a message's new text is about, from the triage's signals.
fn area_of(from: &str, subject: &str, text: &str) -> Option<String> {
    let o = engine()
        .triage(
            &mail(from, TO, subject, DATE, text),
            "test",
            &fixed_env(),
            None,
        )
        .expect("triage runs");
    o.signals.and_then(|s| s.area)
}

#[test]
fn a_regression_names_the_function_that_stopped_working() {
    let e = engine();
    let cases = [
        ("en", "calendar", "Calendar sync broken since the update", "Since yesterday's update the Google Calendar sync no longer works. It worked perfectly before the update."),
        ("de", "sync", "Synchronisierung geht seit dem Update nicht mehr", "Seit dem letzten Update funktioniert die Synchronisierung mit unseren Tablets nicht mehr. Vorher lief alles einwandfrei."),
        ("es", "export", "La exportación no funciona desde la actualización", "Desde la última actualización la exportación a Excel ya no funciona. Antes funcionaba sin problemas."),
        ("fr", "export", "L'export ne fonctionne plus depuis la mise à jour", "Depuis la dernière mise à jour, l'export des contacts en CSV ne fonctionne plus. Avant, tout marchait parfaitement."),
        ("et", "export", "Eksport ei tööta pärast uuendust", "Pärast eilset uuendust ei tööta andmete eksport enam. Enne uuendust toimis kõik laitmatult."),
        ("zh", "sync", "更新后同步失败", "自从上次更新以后，手机和电脑之间的同步就不能用了，更新之前一直都正常。"),
        ("ja", "backup", "アップデート後にバックアップが失敗します", "先週のアップデート以降、毎晩のバックアップが失敗するようになりました。アップデート前は問題なく動いていました。"),
        ("ko", "dashboard", "업데이트 후 대시보드 오류", "지난주 업데이트 이후로 대시보드가 열리지 않습니다. 업데이트 전에는 잘 되었습니다."),
        ("he", "sync", "הסנכרון עם היומן הפסיק לעבוד", "מאז העדכון לגרסה 4.12 הסנכרון עם יומן גוגל הפסיק לעבוד. לפני העדכון הכול עבד מצוין."),
    ];
    for (lang, key, subject, text) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert_eq!(template, format!("{lang}/regression"), "{body}");
        let name = e
            .templates
            .locale(lang)
            .area(key)
            .expect("every area named");
        assert!(body.contains(name), "{lang}: {name:?} missing from {body}");
    }
    // Without a function named, the generic sentence stays.
    let (_, body) = reply(
        "Alex <alex@customer.example>",
        "Not working since the update",
        "Since your update last week, things that used to work for us no longer do.",
    );
    assert!(body.contains("something which used to work"), "{body}");
}

/// Native reviewers: a billing draft names back the amount they were charged, as written with
/// its currency, instead of "your bill", and with the invoice number when they gave both; for
/// a double charge, as the two payments of it.
#[test]
fn a_billing_draft_names_the_amount_they_were_charged() {
    let cases = [
        ("en", "Charged twice", "You charged my card €49.90 twice this month. Please refund the second payment.", "two payments of €49.90"),
        ("de", "Doppelte Abbuchung", "Mir wurden diesen Monat 119,00 € zweimal abgebucht. Bitte erstatten Sie die zweite Zahlung.", "der Betrag von 119,00 €"),
        ("fr", "Double prélèvement", "Vous m'avez prélevé 29,90 € deux fois ce mois-ci. Merci de rembourser le second paiement.", "le montant de 29,90 €"),
        ("zh", "重复扣费", "这个月被扣了 ¥3,000，扣了两次，请退还多扣的款项。", "这笔 ¥3,000 款项"),
        ("ja", "二重請求について", "今月、3,000円が二重に引き落とされています。返金をお願いします。", "3,000円のご請求"),
        ("ko", "이중 청구", "이번 달에 12,000원이 두 번 결제되었습니다. 환불 부탁드립니다.", "12,000원 요금이 두 번 결제"),
        ("he", "חיוב כפול", "חויבנו פעמיים החודש ב-₪120. נבקש החזר של החיוב הכפול.", "שחויבתם פעמיים בסך ₪120"),
    ];
    for (lang, subject, text, named) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert_eq!(template, format!("{lang}/billing"), "{body}");
        assert!(
            body.contains(named),
            "{lang}: {named:?} missing from {body}"
        );
    }
    // With the invoice number too, both are named.
    let (_, body) = reply(
        "Alex <alex@customer.example>",
        "Charged twice",
        "You charged us $1,250.00 twice for invoice INV-4471. Please refund the second payment.",
    );
    assert!(
        body.contains("two payments of $1,250.00 for invoice INV-4471"),
        "{body}"
    );
    // A charge they question without a double charge is named as the charge.
    let (template, body) = reply(
        "Alex <alex@customer.example>",
        "Wrong charge",
        "You charged my card €49.90 on invoice INV-4471 this month, but we cancelled in October. Please refund it.",
    );
    assert_eq!(template, "en/billing", "{body}");
    assert!(
        body.contains("the €49.90 charge on invoice INV-4471"),
        "{body}"
    );
}

/// Native reviewers: a regression draft names the version since which it fails, in the
/// language's own words ("since version 5.2", "バージョン5.2から", "5.2 버전부터").
#[test]
fn a_regression_draft_names_the_version_since_which_it_fails() {
    let cases = [
        ("en", "Export broken since version 5.2", "Since version 5.2 the CSV export no longer works. It worked perfectly before the update.", "since version 5.2"),
        ("de", "Export geht seit Version 3.1 nicht mehr", "Seit Version 3.1 funktioniert der Export nicht mehr. Vorher lief alles einwandfrei.", "seit Version 3.1"),
        ("fr", "L'export ne fonctionne plus depuis la version 2.4", "Depuis la version 2.4, l'export des contacts en CSV ne fonctionne plus. Avant, tout marchait parfaitement.", "depuis la version 2.4"),
        ("ja", "アップデート後にバックアップが失敗します", "バージョン5.2にアップデートしてから、毎晩のバックアップが失敗するようになりました。アップデート前は問題なく動いていました。", "バージョン5.2から"),
        ("ko", "업데이트 후 대시보드 오류", "5.2 버전으로 업데이트한 이후로 대시보드가 열리지 않습니다. 업데이트 전에는 잘 되었습니다.", "5.2 버전부터"),
        ("zh", "更新后同步失败", "从 5.2 版本开始，手机和电脑之间的同步就不能用了，更新之前一直都正常。", "自 5.2 版本起"),
        ("he", "הסנכרון עם היומן הפסיק לעבוד", "מאז העדכון לגרסה 4.12 הסנכרון עם יומן גוגל הפסיק לעבוד. לפני העדכון הכול עבד מצוין.", "מאז גרסה 4.12"),
    ];
    for (lang, subject, text, named) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert_eq!(template, format!("{lang}/regression"), "{body}");
        assert!(
            body.contains(named),
            "{lang}: {named:?} missing from {body}"
        );
    }
}

/// Round-10 reviewers (en, es, fr, de): "trouble with the export since version 5.2, which used
/// to work for you" says the broken version used to work; the clause that says it worked
/// before must not hang on the version, and German must not say "obwohl" (a concession).
#[test]
fn what_used_to_work_is_not_the_version_that_broke_it() {
    let cases = [
        ("en", "Export broken since version 5.2", "Since version 5.2 the CSV export no longer works. It worked perfectly before the update.", "5.2, which"),
        ("es", "La exportación falla desde la versión 5.2", "Desde la versión 5.2 la exportación a CSV ya no funciona. Antes de la actualización funcionaba perfectamente.", "5.2, que"),
        ("fr", "L'export ne fonctionne plus depuis la version 2.4", "Depuis la version 2.4, l'export des contacts en CSV ne fonctionne plus. Avant, tout marchait parfaitement.", "2.4, dont"),
        ("de", "Export geht seit Version 3.1 nicht mehr", "Seit Version 3.1 funktioniert der Export nicht mehr. Vorher lief alles einwandfrei.", "obwohl"),
    ];
    for (lang, subject, text, wrong) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert_eq!(template, format!("{lang}/regression"), "{body}");
        assert!(
            body.contains("5.2") || body.contains("2.4") || body.contains("3.1"),
            "{body}"
        );
        assert!(!body.contains(wrong), "{lang}: {wrong:?} in {body}");
    }
}

/// Round-10 reviewers (de, en, et, ko): a first call request was filed `repeat_contact` and
/// told the customer they "had to contact us several times". Without their own words about
/// earlier contact it is no repeat contact; the call is still promised at their number.
#[test]
fn a_first_call_request_is_no_repeat_contact() {
    let cases = [
        ("en", "Call back please", "I'd rather go through our sync settings on the phone than by email. Could someone give me a call back at 020 7946 0958? I'm free tomorrow morning.", "020 7946 0958"),
        ("de", "Rückruf wegen Kalender", "Das Problem mit dem Kalender lässt sich schwer schriftlich erklären. Können Sie mich bitte zurückrufen? Ich bin unter 030 1234567 erreichbar.", "030 1234567"),
        ("et", "Palun helistage", "Kalendri seadistamist on kirjas keeruline seletada. Palun helistage mulle tagasi numbril +372 5556 1234.", "+372 5556 1234"),
        ("ko", "전화 상담 요청", "동기화 설정 문제를 메일로 설명하기 어려워서 전화로 상담 받고 싶습니다. 010-2345-6789로 전화 부탁드립니다.", "010-2345-6789"),
    ];
    for (lang, subject, text, phone) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert!(
            template.starts_with(&format!("{lang}/")),
            "{template}: {body}"
        );
        assert_ne!(template, format!("{lang}/repeat_contact"), "{body}");
        assert!(
            body.contains(phone),
            "{lang}: {phone} not promised in {body}"
        );
    }
}

/// The other side of the guard above: a customer who does say they wrote or called before is
/// still a repeat contact, also when they count their contacts with an ordinal ("my 4th
/// email", "ma 3e relance").
#[test]
fn counted_earlier_contacts_are_a_repeat_contact() {
    let cases = [
        ("en", "Still waiting", "This is my 4th email about the licence transfer, and I called again yesterday. Please have someone call me at 020 7946 0112."),
        ("fr", "Toujours rien", "C'est ma 3e relance au sujet du transfert de licence, et chaque fois on me promet un retour. Merci de me rappeler au 01 23 45 67 89."),
        ("de", "Schon wieder", "Ich habe bereits mehrfach angerufen, niemand hat zurückgerufen. Bitte rufen Sie mich unter 030 7654321 an."),
    ];
    for (lang, subject, text) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert_eq!(template, format!("{lang}/repeat_contact"), "{body}");
    }
}

/// Round 10 (all nine reviewers): "please cancel effective 31 January" got "we'll process the
/// cancellation" — at once, to customers who need their access until then. The draft names
/// the day it takes effect, in the language's own date, and says nothing changes before it.
#[test]
fn a_cancellation_is_confirmed_for_the_day_it_takes_effect() {
    let cases = [
        ("en", "Cancellation", "We are closing the office, so please cancel our subscription effective 31 January 2027. We still need access until then.", "as of 31 January 2027"),
        ("de", "Kündigung", "Hiermit kündigen wir unseren Vertrag zum 31.01.2027. Bitte bestätigen Sie die Kündigung schriftlich.", "zum 31. Januar 2027"),
        ("ja", "解約のお願い", "事業縮小のため、2027年1月31日をもって契約を解約したいと考えております。手続きをご案内ください。", "2027年1月31日"),
        ("ko", "해지 요청", "사무실 이전으로 2027년 1월 31일자로 해지 부탁드립니다. 그 전까지는 계속 사용하겠습니다.", "2027년 1월 31일"),
        ("he", "ביטול מנוי", "שלום, אבקש לבטל את המנוי שלנו החל מ-31.01.2027. עד אז נמשיך להשתמש בשירות.", "31 בינואר 2027"),
    ];
    for (lang, subject, text, named) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert!(
            template.starts_with(&format!("{lang}/")),
            "{template}: {body}"
        );
        assert!(
            body.contains(named),
            "{lang}: {named:?} missing from {body}"
        );
    }
}

#[test]
fn complaints_and_general_drafts_name_the_matter_they_wrote_about() {
    let e = engine();
    let cases = [
        ("en", "staff_complaint", "backup", "Complaint", "The agent I spoke to about our failed backup yesterday was very rude and hung up on me before it was solved."),
        ("de", "staff_complaint", "shared_folder", "Beschwerde", "Der Mitarbeiter, mit dem ich gestern wegen des freigegebenen Ordners telefoniert habe, war sehr unhöflich und hat einfach aufgelegt."),
        ("he", "staff_complaint", "sync", "תלונה על נציג", "הנציג שדיברתי איתו אתמול על בעיית הסנכרון היה גס רוח מאוד וניתק לי את השיחה לפני שהבעיה נפתרה."),
        ("zh", "staff_complaint", "export", "投诉客服", "昨天接电话的客服态度非常恶劣，我的导出问题还没解决就直接挂了我的电话。"),
        ("ja", "staff_complaint", "calendar", "担当者の対応について", "昨日電話で対応した担当者の態度が非常に悪く、カレンダーの件が解決しないうちに一方的に電話を切られました。"),
        ("ko", "staff_complaint", "upload", "상담원 불만", "어제 통화한 상담원이 매우 불친절했고, 파일 업로드 문제가 해결되기도 전에 전화를 끊어 버렸습니다."),
        ("es", "staff_complaint", "mobile_app", "Queja", "El agente con el que hablé ayer sobre la app móvil fue muy grosero y me colgó antes de resolver mi problema."),
    ];
    for (lang, category, key, subject, text) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert_eq!(template, format!("{lang}/{category}"), "{body}");
        let name = e
            .templates
            .locale(lang)
            .area(key)
            .expect("every area named");
        assert!(body.contains(name), "{lang}: {name:?} missing from {body}");
    }
}

#[test]
fn the_area_is_read_from_the_new_text_only() {
    let from = "Anna Berg <anna@customer.example>";
    assert_eq!(
        area_of(
            from,
            "Question",
            "Hello, since Monday the dashboard shows no data. Can you check?"
        )
        .as_deref(),
        Some("dashboard")
    );
    // Quoted history and the signature name functions the new text does not.
    let quoted = "Hello, I still have no answer to my message below. Can you check?\n\nOn Mon, 16 Nov 2026 at 09:00, Anna Berg <anna@customer.example> wrote:\n> The CSV export from the reports page fails every time.\n";
    assert_eq!(area_of(from, "Question", quoted), None);
    let signed = "Hello, could you tell me when my contract renews?\n\nBest regards,\nAnna Berg\nHead of Data Export & Backup\n";
    assert_eq!(area_of(from, "Contract renewal", signed), None);
}

/// Every numbered question is quoted, with its number, under the heading for questions; a
/// message that only asks a question gets no promise that something will be done (round-6
/// reviews, zh ja ko et es he).
#[test]
fn numbered_questions_are_all_quoted_and_a_question_gets_an_answer_not_a_deed() {
    // (language, subject, text, the two items, the heading for a request).
    let cases = [
        ("en", "Two questions before we sign", "Hello,\n\n1. Do you keep all our data in the EU? Our contracts require it.\n2. Is single sign-on included in the Business plan?\n\nThanks,\nAlex", ["1. Do you keep all our data in the EU?", "2. Is single sign-on included in the Business plan?"], "Your request:"),
        ("de", "Zwei Fragen", "Guten Tag,\n\n1. Werden alle unsere Daten in der EU gespeichert? Unsere Verträge verlangen das.\n2. Ist Single Sign-on im Business-Tarif enthalten?\n\nMit freundlichen Grüßen\nAlex Berg", ["1. Werden alle unsere Daten in der EU gespeichert?", "2. Ist Single Sign-on im Business-Tarif enthalten?"], "Ihr Anliegen:"),
        ("zh", "咨询两个问题", "您好！\n1. 团队版能不能按月付费？还是只能按年签约？\n2. 我们的数据能否存放在中国大陆境内的机房？\n谢谢", ["1. 团队版能不能按月付费？还是只能按年签约？", "2. 我们的数据能否存放在中国大陆境内的机房？"], "您提出的请求："),
        ("ja", "ご質問", "お世話になっております。\n1. 年間契約の途中でユーザー数を増やした場合、料金は日割りで計算されますか。\n2. データの保存先として東京リージョンを指定できますか。\nよろしくお願いいたします。", ["1. 年間契約の途中でユーザー数を増やした場合、料金は日割りで計算されますか。", "2. データの保存先として東京リージョンを指定できますか。"], "次のご依頼"),
        ("ko", "도입 문의", "안녕하세요.\n1. 고객 데이터를 국내 리전에만 보관하도록 지정할 수 있나요? 거래처 계약 조건상 데이터가 해외로 나가면 안 됩니다.\n2. 연간 요금제로 결제하면 전자세금계산서를 발행받을 수 있나요?\n감사합니다.", ["1. 고객 데이터를 국내 리전에만 보관하도록 지정할 수 있나요?", "2. 연간 요금제로 결제하면 전자세금계산서를 발행받을 수 있나요?"], "요청하신 내용은"),
        ("he", "שתי שאלות", "שלום,\n1. האם כל הנתונים שלנו נשמרים באיחוד האירופי? החוזים שלנו מחייבים זאת.\n2. האם כניסה יחידה כלולה בחבילה העסקית?\nתודה", ["1. האם כל הנתונים שלנו נשמרים באיחוד האירופי?", "2. האם כניסה יחידה כלולה בחבילה העסקית?"], "ביקשתם:"),
    ];
    for (lang, subject, text, items, request_heading) in cases {
        let (_, body) = reply("Alex <alex@customer.example>", subject, text);
        for item in items {
            assert!(
                body.contains(&format!("> {item}\n")),
                "{lang}: {item:?} not in\n{body}"
            );
        }
        assert!(!body.contains(request_heading), "{lang}: {body}");
    }
    // A question about a change is answered, not carried out: no "done" promise.
    let cases = [
        ("en", "Cancelling", "Hello,\n\nHow do I cancel my subscription at the end of the month?\n\nThanks,\nAlex", ["confirm it's done", "process the cancellation"]),
        ("en", "Export", "Hello,\n\nIs it possible to export all our projects into one CSV file, attachments included?\n\nThanks,\nAlex", ["prepare the export", "prepare it"]),
        ("ko", "해지 문의", "안녕하세요.\n구독을 어떻게 해지하는지 알려주실 수 있나요?\n감사합니다.", ["처리해", "해지를 처리"]),
        ("he", "ביטול מנוי", "שלום,\nאיך מבטלים את המנוי?\nתודה", ["עדכון על הטיפול", "נבטל"]),
    ];
    for (lang, subject, text, deeds) in cases {
        let (_, body) = reply("Alex <alex@customer.example>", subject, text);
        for deed in deeds {
            assert!(!body.contains(deed), "{lang}: {deed:?} in\n{body}");
        }
    }
}

/// Round-6 reviews: a question draft opened with a slogan ("Clear answers matter…",
/// "Vous avez raison de vouloir…", "Es lógico que quiera…", "Soovite kindlasti…",
/// "궁금하신 점마다…", "טבעי לרצות…") that presumes what the customer wants.
#[test]
fn a_question_draft_opens_without_a_slogan() {
    let cases = [
        (
            "en",
            "SSO?",
            "Hello, does the Business plan include SSO? Where is our data stored?",
            "Clear answers matter",
        ),
        (
            "fr",
            "Question",
            "Bonjour, est-ce que l'offre Business inclut le SSO ? Où sont hébergées nos données ?",
            "Vous avez raison",
        ),
        (
            "es",
            "Consulta",
            "Hola, ¿el plan Business incluye SSO? ¿Dónde se guardan nuestros datos?",
            "Es lógico que quiera",
        ),
        (
            "et",
            "Küsimus",
            "Tere! Kas Business-pakett sisaldab SSO-d? Kus meie andmeid hoitakse?",
            "Soovite kindlasti",
        ),
        (
            "ko",
            "문의",
            "안녕하세요. 비즈니스 요금제에 SSO가 포함되나요? 데이터는 어디에 보관되나요?",
            "궁금하신 점마다",
        ),
        (
            "he",
            "שאלה",
            "שלום, האם חבילת Business כוללת SSO? איפה נשמרים הנתונים שלנו?",
            "טבעי לרצות",
        ),
    ];
    for (lang, subject, text, slogan) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert_eq!(template, format!("{lang}/question"), "{body}");
        assert!(!body.contains(slogan), "{lang}: {body}");
    }
}

/// Round-6 reviews: the billing draft told someone who asked a question that they were right,
/// promised unconditionally that they pay "keinen Cent mehr als vereinbart", and stated a
/// policy in translationese (ja, ko).
#[test]
fn a_billing_draft_neither_agrees_with_a_question_nor_promises_the_outcome() {
    let cases = [
        ("de", "Preis erhöht?", "Guten Tag, im Dezember wurden 59,00 € statt 49,00 € abgebucht. Wurde der Preis erhöht?", &["Sie haben recht", "keinen Cent"][..]),
        ("en", "Charged more", "Hello, this month we were charged 59 instead of 49. Was the price increased? Invoice INV-4471.", &["you're right", "You're right", "only ever pay"][..]),
        ("es", "Cargo", "Hola, este mes me han cobrado 59 € en lugar de 49 € en la factura INV-4471. ¿Han subido el precio?", &["molestias, y", "Tiene razón"][..]),
        ("ja", "二重請求について", "今月、請求書番号 INV-4471 の料金が二重に引き落とされています。返金をお願いします。", &["ご利用いただいた分だけ"][..]),
        ("ko", "이중 청구", "이번 달 인보이스 INV-4471 금액이 두 번 결제되었습니다. 환불 부탁드립니다.", &["요금은 명확하고", "꼼꼼히 확인해 알려"][..]),
    ];
    for (lang, subject, text, wrong) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert_eq!(template, format!("{lang}/billing"), "{body}");
        for w in wrong {
            assert!(!body.contains(w), "{lang}: {w:?} in {body}");
        }
    }
}

/// Round-6 reviews (ja, ko): a plain request for a copy of an invoice got the billing
/// dispute's apology ("ご迷惑をおかけし", "요금 문제로 걱정을 끼쳐") and no copy.
#[test]
fn an_invoice_copy_request_gets_the_copy_and_no_apology_for_a_billing_problem() {
    let cases = [
        ("ja", "請求書の再送のお願い", "お世話になっております。11月分の請求書（INV-2026-10482）を誤って削除してしまいました。お手数ですが、控えをPDFでお送りいただけますでしょうか。", "INV-2026-10482", "申し訳"),
        ("ko", "인보이스 사본 요청", "안녕하세요. 11월 청구분 인보이스 INV-2026-11482 메일을 실수로 삭제했습니다. 사본을 PDF로 다시 보내 주실 수 있을까요?", "인보이스 INV-2026-11482 사본은", "죄송"),
        ("zh", "发票副本", "您好，请再发一份发票 INV-2026-10458 的副本给我，谢谢。", "INV-2026-10458", "抱歉"),
        ("he", "עותק חשבונית", "שלום, אפשר לקבל עותק של חשבונית INV-2026-1187? תודה.", "INV-2026-1187", "צר לנו"),
        ("en", "Invoice copy", "Hello, could you send me a copy of invoice INV-2026-10482? Thanks.", "INV-2026-10482", "sorry"),
    ];
    for (lang, subject, text, promised, apology) in cases {
        let (_, body) = reply("Alex <alex@customer.example>", subject, text);
        assert!(body.contains(promised), "{lang}: {body}");
        assert!(!body.contains(apology), "{lang}: {body}");
    }
}

/// Round-18 review (ja 11): a change of billing details with a reissue got the billing
/// dispute's apology ("ご迷惑をおかけし") and a promise to check the payments; filed as a
/// request in Japanese, it lost the change behind the invoice copy. It is a change to make:
/// the draft says it will be made and the invoice they named reissued.
#[test]
fn a_change_of_billing_details_is_made_not_apologised_for() {
    let cases = [
        ("en", "New billing address", "Hello, our company has moved. Please change the billing address to 12 Harbour Road, Leeds LS1 4AB, and send us invoice INV-2026-2231 again with the new address.", "reissue invoice INV-2026-2231", "sorry"),
        ("de", "Neue Rechnungsadresse", "Guten Tag, wir sind umgezogen. Bitte ändern Sie die Rechnungsadresse auf Hauptstraße 5, 10115 Berlin, und schicken Sie uns die Rechnung INV-2026-0415 mit der neuen Anschrift.", "stellen die Rechnung INV-2026-0415 mit", "leid"),
        ("fr", "Changement d'adresse de facturation", "Bonjour, notre société a déménagé. Merci de modifier l'adresse de facturation (12 rue des Lilas, 69003 Lyon) et de nous renvoyer la facture INV-2026-0118 avec la nouvelle adresse.", "rééditerons la facture INV-2026-0118", "désolé"),
        ("ja", "請求書の住所変更と再発行のお願い", "いつもお世話になっております。12月1日付で本社を移転しました。請求先住所の変更をお願いいたします。あわせて、11月分の請求書(INV-2026-11-0812)を新住所で再発行していただけますでしょうか。", "請求書番号 INV-2026-11-0812 も新しい", "申し訳"),
        ("zh", "发票地址变更", "您好，我们公司搬家了，请修改账单地址为上海市浦东新区世纪大道100号，并按新地址重新开具发票 INV-2026-3310。谢谢。", "重新开具发票 INV-2026-3310", "抱歉"),
    ];
    let mut templates = Vec::new();
    for (lang, subject, text, promised, apology) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        templates.push(template);
        assert!(
            body.contains(promised),
            "{lang}: {promised:?} missing from {body}"
        );
        assert!(!body.contains(apology), "{lang}: {body}");
    }
    // Filed as requests, these reach the billing template's branch only through its own
    // test (`a_billing_draft_makes_a_change_of_details_without_a_dispute_apology`).
    assert!(
        templates
            .iter()
            .all(|t| t.ends_with("/request") || t.ends_with("/billing")),
        "{templates:?}"
    );
}

/// Round 18 (ja: multi-part mails answered in part): a Japanese request with an invoice copy
/// answered the copy alone; the new user asked for beside it was dropped, as were a
/// cancellation's and a refund's companions. Each ask gets its own promise, as in the other
/// languages.
#[test]
fn a_japanese_request_answers_every_ask_not_only_the_copy() {
    let (template, body) = reply(
        "Alex <alex@customer.example>",
        "ユーザー追加と請求書の控えについて",
        "いつもお世話になっております。新入社員が入社したため、ユーザーを1名追加してください（田中 一郎、tanaka@example.jp）。また、10月分の請求書(INV-2026-10-0312)を誤って削除してしまったため、控えをPDFでお送りいただけますでしょうか。",
    );
    assert_eq!(template, "ja/request", "{body}");
    assert!(body.contains("INV-2026-10-0312）の控え"), "{body}");
    assert!(
        body.contains("tanaka@example.jp）のアカウントへの追加"),
        "{body}"
    );
}

/// Round 19 (ja 17, 20): "本日中" was promised at 20:45 and at 22:31 on a Sunday. An urgent
/// message is promised "today" only on a working day of the customer's language, before
/// `[promises] same_day_until` (17:00) of their day; a Sunday is a working day in Hebrew.
#[test]
fn today_is_promised_only_while_the_customers_working_day_lasts() {
    let cases = [
        (
            "ja",
            "至急：ログインできません",
            "パスワードは合っているのにログインできません。至急対応をお願いします。",
            "+0900",
            "本日中",
            "営業日以内",
        ),
        (
            "en",
            "URGENT: cannot log in",
            "Urgent: my password is right but I cannot log in. Please help.",
            "+0000",
            "today",
            "business day",
        ),
        (
            "he",
            "דחוף: לא מצליח להתחבר",
            "דחוף! הסיסמה נכונה אבל אני לא מצליח להתחבר לחשבון. אנא עזרו.",
            "+0200",
            "עוד היום",
            "עסקים",
        ),
    ];
    for (lang, subject, text, offset, today, later) in cases {
        let at = |date: &str| {
            let (template, body) = draft(&mail(
                "Alex <alex@customer.example>",
                TO,
                subject,
                &format!("{date} {offset}"),
                text,
            ));
            assert!(template.starts_with(lang), "{template}: {body}");
            body
        };
        let morning = at("Tue, 24 Nov 2026 10:00:00");
        assert!(morning.contains(today), "{lang} morning: {morning}");
        let evening = at("Tue, 24 Nov 2026 20:45:00");
        assert!(!evening.contains(today), "{lang} evening: {evening}");
        assert!(evening.contains(later), "{lang} evening: {evening}");
        let saturday = at("Sat, 28 Nov 2026 10:00:00");
        assert!(!saturday.contains(today), "{lang} Saturday: {saturday}");
        let sunday = at("Sun, 29 Nov 2026 10:00:00");
        assert_eq!(
            sunday.contains(today),
            lang == "he",
            "{lang} Sunday: {sunday}"
        );
    }
}

/// Round-6 reviews (de, fr, es, ja, he, zh, et): the morning after a resolved incident, the draft
/// said something else was behind it "bei Ihnen" (blame). It says we check whether the
/// incident's effects remain.
#[test]
fn after_a_resolved_incident_the_draft_checks_its_effects_and_blames_no_one() {
    let cases = [
        ("en", "Dashboard still down", "The dashboard is still not loading this morning. I thought it was fixed yesterday?", "+0000", "something else may be affecting you", "still reaching your account"),
        ("de", "Dashboard lädt nicht", "Das Dashboard lädt immer noch nicht, auch heute Morgen ist es komplett ausgefallen.", "+0100", "steckt", "noch auswirkt"),
        ("ja", "ダッシュボードが開きません", "今朝もダッシュボードがまだ表示されません。昨日直ったはずなのに、障害が続いているようです。", "+0900", "別の要因", "影響が残っている可能性"),
        ("he", "לוח הבקרה לא עובד", "לוח הבקרה עדיין לא נטען גם הבוקר, נראה שיש שוב תקלה.", "+0200", "אצלכם,", "עדיין מושפע"),
    ];
    for (lang, subject, text, offset, blame, check) in cases {
        let date = format!("Thu, 19 Nov 2026 09:00:00 {offset}");
        let (template, body) = draft(&mail(
            "Alex <alex@customer.example>",
            TO,
            subject,
            &date,
            text,
        ));
        assert_eq!(template, format!("{lang}/outage"), "{body}");
        assert!(!body.contains(blame), "{lang}: {body}");
        assert!(
            body.contains(check),
            "{lang}: {check:?} missing from {body}"
        );
    }
}

/// Round-6 reviews (en, es, ko, et, zh): a first call request that lands in repeat_contact was
/// told it need not explain everything again, and got a "전담 담당자" (ko). Those belong to a
/// real repeat only.
#[test]
fn a_first_contact_is_not_told_it_need_not_explain_again() {
    let cases = [
        ("en", "Call me", "Hi, this is my first time writing. Could someone call me on +44 20 7946 0018 today about setting up our calendars?", &["explain everything again"][..]),
        ("es", "Llamada", "Hola, es la primera vez que les escribo. ¿Podrían llamarme al 612 345 678 mañana? Gracias.", &["volver a explicarlo"][..]),
        ("ko", "전화 요청", "안녕하세요. 이번에 처음 문의드립니다. 계정 설정 때문에 상담이 필요합니다. 010-4821-3307로 전화 부탁드립니다.", &["다시 설명하지", "전담 담당자"][..]),
    ];
    for (lang, subject, text, wrong) in cases {
        let (_, body) = reply("Kim <kim@customer.example>", subject, text);
        for w in wrong {
            assert!(!body.contains(w), "{lang}: {w:?} in {body}");
        }
    }
}

/// Round-6 reviews (en, de, fr, es, he): the missing reset mail was answered in one sentence
/// chained with ";" and a zeugma, the lookup said "look it up" with no referent, and de said
/// "helfen Ihnen … wieder hinein".
#[test]
fn a_missing_reset_mail_is_answered_in_plain_sentences() {
    let cases = [
        ("en", "Reset email never arrived", "I can't log in and the reset email never arrived, I checked spam too.", &[";", "look it up"][..]),
        ("de", "Keine Reset-Mail", "Ich kann mich nicht anmelden, die E-Mail zum Zurücksetzen kommt nie an, auch nicht im Spam.", &[";", "wieder hinein"][..]),
        ("he", "מייל איפוס לא מגיע", "אני לא מצליח להתחבר ומייל האיפוס לא מגיע, בדקתי גם בספאם.", &[";"][..]),
    ];
    for (lang, subject, text, wrong) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert_eq!(template, format!("{lang}/login"), "{body}");
        for w in wrong {
            assert!(!body.contains(w), "{lang}: {w:?} in {body}");
        }
    }
}

#[test]
fn a_call_window_is_promised_back_and_quoted_history_is_not_read() {
    let cases = [
        ("en", "Backup settings", "Our backup shows a red cross every night. Please call me back on +44 20 7946 0321 between 2 and 4 pm.", "+0000", "+44 20 7946 0321 between 2 pm and 4 pm"),
        ("ko", "백업 설정 문의", "백업 설정이 계속 실패합니다. 오늘 오후 2시에서 4시 사이에 010-4821-7735로 전화 주세요.", "+0900", "오늘 14시~16시 사이에 전화드리겠습니다"),
        ("ja", "バックアップについて", "バックアップが失敗し続けています。14時〜16時の間に090-1234-5678へお電話ください。", "+0900", "14時〜16時の間に、"),
        ("zh", "备份设置", "备份一直失败。请在下午两点到四点之间给我回电，电话 138 0013 8000。", "+0800", "在14点到16点之间拨打"),
        ("he", "הגדרות גיבוי", "פניתי כבר שלוש פעמים ואף אחד לא חזר אליי. נא להתקשר אליי בין 14:00 ל-16:00 למספר 052-1234567.", "+0200", "בין 14:00 ל-16:00"),
    ];
    for (lang, subject, text, offset, said) in cases {
        let o = outcome(subject, &format!("{WEDNESDAY} {offset}"), text);
        let signals = o.signals.expect("signals");
        assert!(signals.call_window.is_some(), "{lang}: {signals:?}");
        let body = o.draft.map(|d| d.body).unwrap_or_default();
        assert!(body.contains(said), "{lang}: {said:?} missing from {body}");
    }
    // A call window and a deadline time written in quoted history are not the customer's now.
    let text = "Thanks, that helps.\n\nOn Mon, 7 Dec 2026 at 10:00, Alex <alex@customer.example> wrote:\n> Please call me back between 2 and 4 pm, I need it by 3 pm.\n";
    let o = outcome("Re: Backup", &format!("{WEDNESDAY} +0000"), text);
    let signals = o.signals.expect("signals");
    assert_eq!(signals.call_window, None, "{signals:?}");
    assert_eq!(signals.deadline_time, None, "{signals:?}");
}

/// The promise of a draft whose customer needs it today, or whose message is urgent, is a
/// same-day one (by the time they named, when they named one), and the draft never also
/// promises the config's business days, nor "today, or sooner", nor says the urgency twice
/// (round-6 reviews, en de ja ko he zh: "within one business day" beside "we know it's
/// urgent"). The test config promises three business days.
#[test]
fn an_urgent_or_same_day_message_is_promised_today_and_never_the_business_days() {
    // (language, subject, text, offset, the same-day promise, the business-days promise).
    let cases = [
        ("en", "Shared folder", "Two of our coordinators can no longer open the shared project folder. We need it back by 3 pm today for a walk-through.", "+0000", "before 3 pm today", "within three business days"),
        ("en", "URGENT: whole team locked out", "Urgent: our whole warehouse team cannot open the dashboard since this morning. Nobody can work.", "+0000", "today", "within three business days"),
        ("de", "Dashboard geht nicht", "Dringend: Unser ganzes Team kann seit heute Morgen das Dashboard nicht öffnen. Bitte melden Sie sich umgehend.", "+0100", "noch heute", "innerhalb von drei Werktagen"),
        ("de", "Audit-Log", "Der Export des Audit-Logs bricht mit einer Zeitüberschreitung ab. Wir brauchen das Protokoll bis heute 15 Uhr für den Wirtschaftsprüfer.", "+0100", "heute noch vor 15 Uhr", "innerhalb von drei Werktagen"),
        ("ja", "見積書の送付", "ビジネスプランの見積書を本日15時までにお送りください。", "+0900", "本日15時より前", "3営業日以内"),
        ("ja", "至急：ログインできません", "至急対応をお願いします。本日中にログインできないと業務が止まってしまいます。", "+0900", "本日中", "3営業日以内"),
        ("ko", "로그 요청", "보안 점검 때문에 접속 로그가 필요합니다. 오늘 오후 3시까지 꼭 보내 주세요.", "+0900", "오늘 15시 전까지", "영업일 기준 3일 이내에"),
        ("ko", "[긴급] 로그인 불가", "긴급합니다. 오늘 중으로 로그인이 안 되면 업무를 할 수 없습니다.", "+0900", "오늘 중으로", "영업일 기준 3일 이내에"),
        ("he", "מייל איפוס לא מגיע", "מייל איפוס הסיסמה לא מגיע, ניסיתי שלוש פעמים. זה דחוף, אני צריך לשלוח היום דוחות ללקוחות.", "+0200", "עוד היום", "תוך שלושה ימי עסקים"),
        ("he", "מסמך DPA", "אנחנו צריכים את מסמך ה-DPA החתום היום עד 15:00 להגשת מכרז.", "+0200", "היום לפני 15:00", "תוך שלושה ימי עסקים"),
        ("zh", "导出报错", "导出审计数据一直报错“导出失败，请稍后重试”。我们今天下午3点之前必须把报告交给审计师。", "+0800", "今天15点之前", "三个工作日内"),
        ("zh", "急！无法登录", "非常紧急，今天必须登录系统，否则整个部门都没法工作。", "+0800", "今天之内", "三个工作日内"),
    ];
    for (lang, subject, text, offset, same_day, business_days) in cases {
        let o = outcome(subject, &format!("{WEDNESDAY} {offset}"), text);
        let body = o.draft.map(|d| d.body).unwrap_or_default();
        assert!(
            body.contains(same_day),
            "{lang}: {same_day:?} not in\n{body}"
        );
        assert!(
            !body.contains(business_days),
            "{lang}: {business_days:?} in\n{body}"
        );
        for sooner in [
            "or sooner",
            "sooner if",
            "oder früher",
            "或更早",
            "מוקדם יותר",
        ] {
            assert!(!body.contains(sooner), "{lang}: {sooner:?} in\n{body}");
        }
        assert!(
            body.matches("דחוף").count() <= 1,
            "{lang}: urgent twice in\n{body}"
        );
    }
    // Without urgency or a deadline, the config's promise stands.
    let (_, body) = reply(
        "Alex <alex@customer.example>",
        "Export question",
        "How do I export the audit log as CSV?",
    );
    assert!(body.contains("within three business days"), "{body}");
}

/// A call asked for in a window of the day is promised in that window, not at the config's
/// time (round-6 reviews: "zwischen 14 und 16 Uhr", "kella 14 ja 16 vahel", "오후 2시에서 4시
/// 사이", "בין 14:00 ל-16:00", the Hebrew "שיחזרו אליי בטלפון" a call request).
#[test]
fn a_call_asked_for_in_a_window_is_promised_in_that_window() {
    // (language, subject, text, offset, the promised call).
    let cases = [
        ("en", "Calendar set-up", "Hello, could you call me on (512) 555-0148 between 2 and 4 pm, today or tomorrow? I'd like help setting up our technicians' calendars.", "-0600", "(512) 555-0148 between 2 pm and 4 pm"),
        ("de", "Bitte um Rückruf", "Guten Tag, bitte rufen Sie mich unter 0421 5567 2390 zurück, gerne von 14 bis 16 Uhr. Es geht um die Einrichtung unserer Kalender.", "+0100", "zwischen 14 und 16 Uhr unter 0421 5567 2390"),
        ("et", "Palun helistage", "Tere! Palun helistage mulle numbril +372 5123 4567 täna kella 14 ja 16 vahel, soovin arutada aastapaketile üleminekut.", "+0200", "+372 5123 4567 täna kella 14 ja 16 vahel"),
        ("ko", "전화 상담 요청", "안녕하세요. 계정 설정 건으로 상담받고 싶습니다. 오늘 오후 2시에서 4시 사이에 010-4821-3307로 전화 부탁드립니다.", "+0900", "오늘 14시~16시 사이에 전화드리겠습니다"),
        ("he", "בקשה לשיחה", "שלום, אשמח שיחזרו אליי בטלפון 052-7814493 היום בין 14:00 ל-16:00 לגבי הרשאות המשתמשים.", "+0200", "052-7814493 היום בין 14:00 ל-16:00"),
        ("ja", "お電話のお願い", "プラン変更についてご相談したく、本日14時から16時の間に03-5421-7788までお電話いただけますでしょうか。", "+0900", "本日14時〜16時の間に、"),
        ("zh", "续约咨询", "您好，关于企业版续约，请今天下午2点到4点之间给我打电话，号码是138 1234 5678。", "+0800", "今天14点到16点之间"),
    ];
    for (lang, subject, text, offset, promised) in cases {
        let o = outcome(subject, &format!("{WEDNESDAY} {offset}"), text);
        let signals = o.signals.expect("signals");
        assert!(signals.call_window.is_some(), "{lang}: {signals:?}");
        let body = o.draft.map(|d| d.body).unwrap_or_default();
        assert!(
            body.contains(promised),
            "{lang}: {promised:?} not in\n{body}"
        );
    }
}

/// The sentences that spare a customer explaining "again" or promise to find their "earlier
/// letters" are said only to someone who said they wrote or called before (or whose earlier
/// mail the mailbox shows): a first call request the learned model files as a repeat contact
/// or a slow service gets neither (round-6 reviews, en de et ko he zh ja).
#[test]
fn a_first_contact_is_not_spared_explaining_again() {
    // (language, subject, text, what only a repeat contact is told).
    let cases = [
        ("en", "Calendar set-up", "Hello, could you call me on (512) 555-0148 between 2 and 4 pm? I'd like help setting up our technicians' calendars.", "explain everything again"),
        ("de", "Rückruf", "Bitte rufen Sie mich unter 0421 5567 2390 zurück. Am besten heute oder morgen zwischen 14 und 16 Uhr.", "noch einmal erklären"),
        ("et", "Helistamine", "Palun helistage mulle numbril +372 5123 4567 täna kella 14 ja 16 vahel.", "varasemad kirjad"),
        ("ko", "전화 상담 요청", "이번에 처음 문의드립니다. 오늘이나 내일 오후 2시에서 4시 사이에 010-4821-3307로 전화 부탁드립니다.", "다시 설명하지"),
        ("he", "בקשה לשיחה", "אשמח אם מישהו יחזור אליי בטלפון 052-7814493 בין 14:00 ל-16:00.", "ההודעות הקודמות"),
        ("he", "בקשה לשיחה", "אשמח אם מישהו יחזור אליי בטלפון 052-7814493 בין 14:00 ל-16:00.", "להסביר הכול מחדש"),
        ("zh", "电话", "请今天下午2点到4点之间给我打电话，138 1234 5678。", "从头解释"),
        ("ja", "電話", "本日14時から16時の間に03-5421-7788までお電話いただけますでしょうか。", "同じご説明を繰り返して"),
    ];
    for (lang, subject, text, repeat) in cases {
        let o = outcome(subject, &format!("{WEDNESDAY} +0000"), text);
        let body = o.draft.map(|d| d.body).unwrap_or_default();
        assert!(!body.is_empty(), "{lang}: no draft");
        assert!(!body.contains(repeat), "{lang}: {repeat:?} in\n{body}");
    }
    // Someone who says they wrote three times is still spared explaining it all again.
    let (template, body) = reply(
        "Alex <alex@customer.example>",
        "Third time",
        "This is the third time I'm writing about my broken export and nobody has answered.",
    );
    assert!(
        template == "en/repeat_contact" || template == "en/slow_service",
        "{template}"
    );
    assert!(
        body.contains("explain everything again") || body.contains("repeat anything"),
        "{body}"
    );
}

/// A day the customer names is promised only when it is sooner than the config's business
/// days: a far deadline never becomes the reply date (round-7 reviews, es ja: "before the end of
/// the month" became "before Thursday 31 December"). Written on Wednesday 9 December; the test
/// config promises three business days (Monday 14 December).
#[test]
fn a_named_day_is_promised_only_when_it_is_sooner_than_the_business_days() {
    // (language, subject, a near deadline, a far one, the business-days promise).
    let cases = [
        (
            "en",
            "Export of the audit log",
            "Please send us the export of the audit log by Friday.",
            "Please send us the export of the audit log by 28 December.",
            "within three business days",
        ),
        (
            "de",
            "Export des Audit-Logs",
            "Bitte schicken Sie uns den Export des Audit-Logs bis Freitag.",
            "Bitte schicken Sie uns den Export des Audit-Logs bis zum 28. Dezember.",
            "innerhalb von drei Werktagen",
        ),
        (
            "ja",
            "監査ログのエクスポート",
            "監査ログのエクスポートを金曜日までにお送りください。",
            "監査ログのエクスポートを12月28日までにお送りください。",
            "3営業日以内",
        ),
        (
            "zh",
            "审计日志导出",
            "请在周五之前把审计日志的导出发给我们。",
            "请在12月28日之前把审计日志的导出发给我们。",
            "三个工作日内",
        ),
        (
            "he",
            "ייצוא יומן ביקורת",
            "אנחנו צריכים את הייצוא של יומן הביקורת עד יום שישי.",
            "אנחנו צריכים את הייצוא של יומן הביקורת עד 28 בדצמבר.",
            "תוך שלושה ימי עסקים",
        ),
    ];
    for (lang, subject, near, far, business_days) in cases {
        let o = outcome(subject, &format!("{WEDNESDAY} +0000"), near);
        assert_eq!(
            o.signals.as_ref().and_then(|s| s.deadline.as_deref()),
            Some("2026-12-11"),
            "{lang}: {near}"
        );
        let body = o.draft.map(|d| d.body).unwrap_or_default();
        assert!(
            !body.contains(business_days),
            "{lang}: {business_days:?} in\n{body}"
        );
        let o = outcome(subject, &format!("{WEDNESDAY} +0000"), far);
        assert_eq!(
            o.signals.as_ref().and_then(|s| s.deadline.as_deref()),
            Some("2026-12-28"),
            "{lang}: {far}"
        );
        let body = o.draft.map(|d| d.body).unwrap_or_default();
        assert!(
            body.contains(business_days),
            "{lang}: {business_days:?} not in\n{body}"
        );
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 28).expect("a date");
        // Named once, where the draft acknowledges their deadline; never as the promise.
        let named = engine().templates.locale(lang).day(day);
        assert_eq!(
            body.matches(&named).count(),
            1,
            "{lang}: {named:?} in\n{body}"
        );
    }
}

/// The sentence of a login draft that asks whether they sign in with another address, per
/// language: never for someone who said which address their account is.
fn asks_for_another_address(lang: &str) -> &'static str {
    match lang {
        "en" => "If you sign in with a different one",
        "et" => "Kui logite sisse mõne muu aadressiga",
        "ko" => "다른 주소나 아이디로",
        "zh" => "注册在另一个邮箱地址下",
        "he" => "אם אתם נכנסים עם כתובת אחרת",
        _ => unreachable!("no marker for {lang}"),
    }
}

#[test]
fn a_login_draft_asks_for_no_other_address_once_they_said_this_one_is_their_accounts() {
    // (language, subject, their sign-in problem after a reset they did, "this address is my
    // account's"): without the second sentence the draft asks about another address.
    let cases = [
        (
            "et",
            "Ei saa sisse",
            "Ma ei saa sisse logida. Lähtestasin parooli juba kaks korda.",
            "See aadress, millelt kirjutan, on minu kontoga seotud.",
        ),
        (
            "ko",
            "로그인이 안 됩니다",
            "비밀번호를 재설정했는데도 로그인이 안 됩니다.",
            "지금 보내는 주소가 제가 가입할 때 쓴 그 주소예요.",
        ),
        (
            "zh",
            "无法登录",
            "我登录不了账户。我已经重置了两次密码。",
            "这个邮箱就是我当初注册的邮箱。",
        ),
        (
            "he",
            "לא מצליחה להתחבר",
            "אני לא מצליחה להתחבר. כבר איפסתי את הסיסמה פעמיים.",
            "הכתובת הזאת רשומה אצלכם כבר שנים.",
        ),
        (
            "en",
            "Cannot sign in",
            "I can't sign in. I already reset my password twice.",
            "The address I'm writing from is linked to my account.",
        ),
    ];
    for (lang, subject, problem, this_address) in cases {
        let (_, body) = reply("Alex <alex@customer.example>", subject, problem);
        assert!(
            body.contains(asks_for_another_address(lang)),
            "{lang}: the control draft does not ask: {body}"
        );
        let text = format!("{problem} {this_address}");
        let (template, body) = reply("Alex <alex@customer.example>", subject, &text);
        assert_eq!(template, format!("{lang}/login"), "{body}");
        assert!(
            !body.contains(asks_for_another_address(lang)),
            "{lang}: {body}"
        );
    }
    // The address they write from, written out as their account's, is named back.
    for (lang, subject, text) in [
        (
            "en",
            "Cannot sign in",
            "I can't sign in. My login is alex@customer.example.",
        ),
        (
            "ko",
            "로그인이 안 됩니다",
            "로그인이 안 됩니다. 로그인 아이디는 alex@customer.example 입니다.",
        ),
        (
            "zh",
            "无法登录",
            "我登录不了。我的账号是 alex@customer.example。",
        ),
    ] {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert_eq!(template, format!("{lang}/login"), "{body}");
        assert!(body.contains("alex@customer.example"), "{lang}: {body}");
        assert!(
            !body.contains(asks_for_another_address(lang)),
            "{lang}: {body}"
        );
    }
}

#[test]
fn a_reset_mail_that_never_came_is_not_read_as_a_reset_done() {
    // (language, subject, text, a phrase of the "mail did not come" answer, one of "you reset")
    let cases = [
        ("de", "Passwort-Mail", "Ich habe dreimal versucht, das Passwort zurückzusetzen, aber die E-Mail kommt einfach nicht an, auch nicht im Spam.", "nicht angekommen", "bereits zurückgesetzt"),
        ("ko", "로그인 문의", "비밀번호를 세 번이나 재설정해 봤는데 재설정 메일이 아직도 안 와요.", "재설정 메일이 오지 않아", "이미 비밀번호를 재설정해"),
        ("zh", "登录问题", "我点了三次忘记密码，可是邮件迟迟没到。", "重置邮件一直没能送到", "您已经重置过密码"),
        ("ja", "ログインできません", "パスワードを三回リセットしましたが、再設定のメールが何度試しても届きません。", "再設定のメールが届かず", "すでにパスワードの再設定"),
    ];
    for (lang, subject, text, missing, done) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert_eq!(template, format!("{lang}/login"), "{body}");
        assert!(body.contains(missing), "{lang}: {body}");
        assert!(!body.contains(done), "{lang}: {body}");
    }
}

#[test]
fn an_outage_report_sent_to_a_retired_address_carries_the_address_note() {
    let cases = [
        ("de", "Synchronisierung hängt", "Seit gestern bleibt die Synchronisierung auf meinem Laptop bei 87 % stehen, bei allen Kollegen ist es genauso. Der Dienst ist komplett ausgefallen."),
        ("et", "Teenus ei tööta", "Teenus on maas: üleslaadimine ei tööta kellelgi meie kontoris ja lehekülg ei avane."),
        ("ja", "サービスが使えません", "今朝からサービス全体が落ちていて、社内の誰もアクセスできません。"),
        ("he", "השירות לא עובד", "השירות קרס לגמרי מהבוקר, אף אחד במשרד לא מצליח להיכנס."),
    ];
    for (lang, subject, text) in cases {
        let (template, body) = draft(&mail(
            "Alex <alex@customer.example>",
            "helpdesk@example.net",
            subject,
            DATE,
            text,
        ));
        assert_eq!(template, format!("{lang}/outage"), "{body}");
        assert!(body.contains("helpdesk@example.net"), "{lang}: {body}");
        assert!(body.contains("support@example.com"), "{lang}: {body}");
    }
}

/// The subject and text of a plain invoice-copy request in `lang`, for greeting tests.
fn copy_request(lang: &str) -> (&'static str, &'static str) {
    match lang {
        "de" => (
            "Rechnungskopie",
            "Bitte senden Sie mir eine Kopie der Rechnung INV-30912.",
        ),
        "fr" => (
            "Copie de facture",
            "Pourriez-vous m'envoyer une copie de la facture INV-30912 ?",
        ),
        "es" => (
            "Copia de factura",
            "Por favor, envíenme una copia de la factura INV-30912.",
        ),
        "ja" => (
            "請求書の再発行",
            "請求書 INV-30912 の控えを送っていただけますか。",
        ),
        "ko" => (
            "청구서 사본",
            "청구서 INV-30912 사본을 보내 주실 수 있을까요?",
        ),
        "zh" => ("发票副本", "请把发票 INV-30912 的副本发给我，谢谢。"),
        _ => unreachable!("no copy request for {lang}"),
    }
}

#[test]
fn the_greeting_follows_each_languages_register_for_titles_gender_and_departments() {
    // (language, display name, the greeting line expected). Gender comes only from a word
    // of the name ("Frau", "M.", "Sra."), never from the given name.
    let cases = [
        ("de", "Frau Dr. Ulrike Sommer", "Guten Tag Frau Dr. Sommer,"),
        (
            "de",
            "Herr Prof. Dr. Klaus von Bergen",
            "Guten Tag Herr Prof. Dr. von Bergen,",
        ),
        ("de", "Fr. Anja Keller", "Guten Tag Frau Keller,"),
        ("de", "Dr. Ulrike Sommer", "Guten Tag Dr. Ulrike Sommer,"),
        ("fr", "M. Julien Marchand", "Bonjour Monsieur Marchand,"),
        ("fr", "Mme Claire de La Tour", "Bonjour Madame de La Tour,"),
        ("fr", "Julien Marchand", "Bonjour,"),
        (
            "es",
            "Sr. Francisco Javier Molina Ruiz",
            "Estimado Sr. Molina Ruiz:",
        ),
        ("es", "Dra. Lucía Pérez Soto", "Estimada Dra. Pérez Soto:"),
        ("es", "Francisco Javier Molina", "Hola, Francisco Javier:"),
        ("es", "Rosa María Gómez", "Hola, Rosa María:"),
        ("es", "José García", "Hola, José:"),
        (
            "ja",
            "株式会社青葉商事 経理部",
            "株式会社青葉商事 経理部 ご担当者様",
        ),
        ("ja", "総務課", "総務課 ご担当者様"),
        (
            "ko",
            "(주)누리소프트 경영지원팀",
            "(주)누리소프트 경영지원팀 담당자님, 안녕하세요.",
        ),
        ("zh", "小王", "尊敬的客户，您好！"),
        ("zh", "王先生", "王先生，您好！"),
    ];
    for (lang, name, greeting) in cases {
        let (subject, text) = copy_request(lang);
        let (template, body) = reply(
            &format!("=?UTF-8?B?{}?= <office@firm.example>", b64(name)),
            subject,
            text,
        );
        assert!(template.starts_with(lang), "{lang} {name}: {template}");
        let first = body.lines().next().unwrap_or_default();
        assert_eq!(first, greeting, "{lang} {name}: {body}");
    }
}

#[test]
fn reply_politeness_and_sentences_leaning_on_the_request_are_not_quoted_as_requests() {
    // (language, subject, text, the sentence that must not be quoted back).
    let cases = [
        (
            "en",
            "New user",
            "Could you please add our new colleague Laura Chen (laura.chen@firm.example) to our account as a user? Let me know once it's done.",
            "Let me know once it's done",
        ),
        (
            "en",
            "Invoice copy",
            "Could you send me a copy of invoice INV-4410? Can you send it as a PDF to this address?",
            "send it as a PDF",
        ),
        (
            "de",
            "Neuer Benutzer",
            "Bitte legen Sie für unseren neuen Kollegen Jonas Brandt (j.brandt@firma.example) einen Zugang an. Geben Sie mir kurz Bescheid, wenn das erledigt ist.",
            "Geben Sie mir kurz Bescheid",
        ),
        (
            "fr",
            "Copie de facture",
            "Pourriez-vous m'envoyer une copie de la facture INV-4410 ? Pourriez-vous me l'envoyer au format PDF ?",
            "me l'envoyer au format PDF",
        ),
        (
            "es",
            "Copia de factura",
            "¿Me pueden enviar una copia de la factura INV-4410? ¿Me la pueden mandar en PDF a esta dirección?",
            "Me la pueden mandar",
        ),
        (
            "he",
            "העתק חשבונית",
            "אפשר לקבל העתק של חשבונית INV-4410? תוכלו לשלוח אותה אליי במייל כקובץ PDF?",
            "לשלוח אותה",
        ),
        (
            "ko",
            "사용자 추가",
            "이번 주에 입사한 직원 한 명을 저희 계정에 사용자로 추가해 주세요. 완료되면 메일로 알려 주시기 바랍니다.",
            "완료되면",
        ),
        (
            "ja",
            "ユーザー追加のお願い",
            "新しく入ったスタッフのユーザーを弊社アカウントに追加していただけますでしょうか。完了しましたらご連絡いただけますと幸いです。",
            "完了しましたら",
        ),
        (
            "zh",
            "添加用户",
            "请为我们部门新来的同事开通一个用户账号，权限和其他同事一样。处理好后请告知我一声。",
            "处理好后",
        ),
    ];
    for (lang, subject, text, not_quoted) in cases {
        let (template, body) = reply("Robin Park <robin@customer.example>", subject, text);
        assert!(template.starts_with(lang), "{lang}: {template}");
        let quoted = body
            .lines()
            .filter(|l| l.starts_with('>'))
            .any(|l| l.contains(not_quoted));
        assert!(!quoted, "{lang} quotes {not_quoted:?}: {body}");
    }
}

#[test]
fn a_quoted_request_is_headed_by_what_we_will_do_and_ja_ko_zh_promise_fluently() {
    // A request the drafts have no words of their own for is quoted under a commitment, never
    // under a bare label ("Your request:", "次のご依頼、確かに承りました。").
    let cases = [
        (
            "en",
            "Workspace language",
            "Could you please switch the language of our team workspace to German for all members?",
            "We'll take care of this for you:",
            "Your request:",
        ),
        (
            "de",
            "Sprache des Arbeitsbereichs",
            "Könnten Sie bitte die Sprache unseres Team-Arbeitsbereichs für alle Mitglieder auf Englisch umstellen?",
            "Darum kümmern wir uns für Sie:",
            "Ihr Anliegen:",
        ),
        (
            "ja",
            "ワークスペースの言語設定",
            "弊社チームのワークスペースの表示言語につきまして、全メンバー分まとめて英語への切り替えをお願いいたします。",
            "以下のご依頼につきまして、承知いたしました。",
            "必要なお手続き",
        ),
        (
            "ko",
            "워크스페이스 언어 변경",
            "저희 팀 워크스페이스의 표시 언어를 전체 구성원 모두 영어로 바꿔 주시기 바랍니다.",
            "아래 요청하신 건은 저희가 처리해 드리겠습니다.",
            "요청하신 내용은 다음과 같습니다",
        ),
        (
            "zh",
            "工作区语言",
            "请把我们团队工作区的显示语言统一改成英文，所有成员都要改。",
            "您的以下请求，我们会为您办理：",
            "为您办好",
        ),
    ];
    for (lang, subject, text, heading, stiff) in cases {
        let (template, body) = reply("Robin Park <robin@customer.example>", subject, text);
        assert!(template.starts_with(lang), "{lang}: {template}");
        assert!(!body.contains(stiff), "{lang}: {body}");
        if body.lines().any(|l| l.starts_with('>')) {
            assert!(body.contains(heading), "{lang}: {body}");
        }
    }
}

/// Round-7 reviews (de ko zh fr et ja en): a call asked for with its window inside the request
/// ("Könnten Sie mich … zwischen 14 und 16 Uhr anrufen?", "…로 연락 주시면", "打我手机", hours
/// with no am or pm) is offered in that window, and the window's start is promised as no
/// reply deadline.
#[test]
fn a_call_window_inside_the_request_is_offered_and_sets_no_deadline() {
    // (language, subject, text, offset, the promised call, what must not be said).
    let cases = [
        ("en", "Calendar set-up", "Hello, could you call me on (512) 555-0148 between 2 and 4? I'd like help setting up our calendars.", "-0600", "(512) 555-0148 between 2 pm and 4 pm", "by 2 pm"),
        ("de", "Bitte um Rückruf", "Guten Tag, könnten Sie mich unter 0421 5567 2390 zwischen 14 und 16 Uhr anrufen? Es geht um unsere Kalender.", "+0100", "zwischen 14 und 16 Uhr unter 0421 5567 2390", "bis 14 Uhr"),
        ("ko", "전화 상담 요청", "계정 설정 건으로 상담받고 싶습니다. 오늘 오후 2시에서 4시 사이에 010-4821-3307로 연락 주시면 감사하겠습니다.", "+0900", "오늘 14시~16시 사이에 전화드리겠습니다", "14시까지"),
        ("zh", "续约咨询", "关于企业版续约，麻烦今天下午2点到4点之间打我手机，号码是138 1234 5678。", "+0800", "今天14点到16点之间", "14点之前"),
    ];
    for (lang, subject, text, offset, promised, wrong) in cases {
        let o = outcome(subject, &format!("{WEDNESDAY} {offset}"), text);
        let signals = o.signals.expect("signals");
        assert!(signals.call_window.is_some(), "{lang}: {signals:?}");
        assert_eq!(signals.deadline_time, None, "{lang}: {signals:?}");
        let body = o.draft.map(|d| d.body).unwrap_or_default();
        assert!(
            body.contains(promised),
            "{lang}: {promised:?} not in\n{body}"
        );
        assert!(!body.contains(wrong), "{lang}: {wrong:?} in\n{body}");
    }
}

/// Round-7 reviews (de ko en): "today" with what is needed between the need and it ("I need
/// my files for a client today") is a same-day need: the draft promises today, not the
/// config's three business days.
#[test]
fn a_need_for_today_with_its_object_between_is_promised_today() {
    // (language, subject, text, offset, the business-days promise).
    let cases = [
        ("en", "Reset email", "The reset email never arrives, I checked spam. I need my files for a client today.", "+0000", "within three business days"),
        ("de", "Anmeldung", "Ich kann mich trotz neuem Passwort nicht anmelden und brauche den Zugang für die Angebote heute.", "+0100", "innerhalb von drei Werktagen"),
        ("ko", "재설정 메일", "재설정 메일이 오지 않습니다. 오늘 업무 때문에 꼭 접속해야 합니다.", "+0900", "영업일 기준 3일 이내에"),
    ];
    for (lang, subject, text, offset, business_days) in cases {
        let o = outcome(subject, &format!("{WEDNESDAY} {offset}"), text);
        let signals = o.signals.expect("signals");
        assert_eq!(
            signals.deadline.as_deref(),
            Some("today"),
            "{lang}: {signals:?}"
        );
        let body = o.draft.map(|d| d.body).unwrap_or_default();
        assert!(
            !body.contains(business_days),
            "{lang}: {business_days:?} in\n{body}"
        );
    }
}

/// A call request with a number is answered with the call alone: no email reply is promised
/// beside it (round-8 reviews, de en zh: "we'll confirm by email once it's done" after "we'll
/// call you", and "each point you raised will be answered within a business day" to someone
/// who raised none). Without a number to call, the reply by email is still promised.
#[test]
fn a_call_request_is_promised_the_call_and_no_email_reply_beside_it() {
    // (language, subject, text, the call promised, what promises an email reply).
    let cases = [
        ("en", "Call please", "Hello, could you call me on (512) 555-0148 between 2 and 4 pm today? I'd like to talk about our plan.", "(512) 555-0148", ["confirm it's done", "will reply"]),
        ("de", "Rückruf", "Guten Tag, bitte rufen Sie mich heute zwischen 14 und 16 Uhr unter 0421 5567 2390 zurück.", "0421 5567 2390", ["bestätigen wir es Ihnen", "antwortet Ihnen"]),
        ("zh", "电话", "您好，请今天下午2点到4点之间给我打电话，号码是139 1024 5678。", "139 1024 5678", ["告诉您处理结果", "给您答复"]),
        ("he", "בקשה לשיחה", "שלום, אשמח שיחזרו אליי בטלפון 052-7814493 היום בין 14:00 ל-16:00 לגבי הרשאות המשתמשים.", "052-7814493", ["נחזור אליכם", "ויחזור אליכם"]),
        ("ja", "お電話のお願い", "本日14時から16時の間に03-5421-7788までお電話いただけますでしょうか。", "03-5421-7788", ["結果をご報告", "ご返信いたします"]),
        ("ko", "전화 요청", "오늘 오후 2시에서 4시 사이에 010-4821-3307로 전화 부탁드립니다.", "010-4821-3307", ["결과를 말씀드리겠습니다", "살펴본 뒤"]),
    ];
    for (lang, subject, text, number, email_reply) in cases {
        let o = outcome(subject, &format!("{WEDNESDAY} +0000"), text);
        let body = o.draft.map(|d| d.body).unwrap_or_default();
        assert!(body.contains(number), "{lang}: no call promised in\n{body}");
        for promise in email_reply {
            assert!(!body.contains(promise), "{lang}: {promise:?} in\n{body}");
        }
    }
    // No number: the call cannot be promised, so the reply by email is.
    let o = outcome(
        "Call please",
        &format!("{WEDNESDAY} +0000"),
        "Hello, could you call me back today? I'd like to talk about our plan.",
    );
    let body = o.draft.map(|d| d.body).unwrap_or_default();
    assert!(
        body.contains("confirm it's done")
            || body.contains("will reply")
            || body.contains("answer"),
        "{body}"
    );
}

/// A complaint about waiting, repeated contact or a colleague that carries a second request
/// names that request back with a commitment, instead of dropping it (round-9 reviews, all
/// nine languages: "please also remove our former colleague's access" in a two-week wait).
#[test]
fn a_second_request_in_a_complaint_is_named_back_not_dropped() {
    // (language, subject, text, the commitment heading, a word of the request).
    let cases = [
        ("en", "Still waiting", "I wrote to you two weeks ago about our export and nobody has answered. This is not acceptable. Please also remove our former colleague Dana Price from the account.", "We'll also take care of this for you:", "Dana Price"),
        ("de", "Immer noch keine Antwort", "Seit zwei Wochen warte ich auf eine Antwort zu unserem Export, niemand meldet sich. Bitte entfernen Sie außerdem den Zugang unseres ehemaligen Kollegen Jonas Berger.", "Auch darum kümmern wir uns:", "Jonas Berger"),
        ("zh", "还是没有回复", "我两周前就发邮件询问导出的问题，到现在还没有人回复，太让人失望了。另外请把我们前同事刘洋的账号从团队里删除。", "我们也会一并办理", "刘洋"),
        ("he", "עדיין אין תשובה", "כתבתי לכם לפני שבועיים על הייצוא ועד היום אף אחד לא ענה. זה פשוט לא מקובל. בנוסף, אבקש לשנות את שם החברה בחשבוניות ל״כהן לוגיסטיקה בע״מ״.", "נטפל גם בבקשה הזו:", "כהן לוגיסטיקה"),
        ("ja", "まだ返信がありません", "2週間前にエクスポートの件で問い合わせましたが、いまだに返信がありません。大変困っています。あわせて、請求書の宛名を「佐藤商事株式会社」に変更してください。", "以下のご依頼にも対応いたします", "佐藤商事"),
    ];
    for (lang, subject, text, heading, named) in cases {
        let o = outcome(subject, &format!("{WEDNESDAY} +0000"), text);
        let category = o.category.clone().unwrap_or_default();
        let body = o.draft.map(|d| d.body).unwrap_or_default();
        assert!(
            body.contains(heading) && body.contains(named),
            "{lang} ({category}): {heading:?} / {named:?} not in\n{body}"
        );
    }
    // Asking for the reply itself is the complaint, not a second request.
    for (lang, subject, text, heading) in [
        ("en", "Still waiting", "I wrote to you two weeks ago about our export and nobody has answered. Please answer me!", "We'll also take care of this for you:"),
        ("de", "Immer noch keine Antwort", "Seit zwei Wochen keine Antwort auf meine Anfrage zum Export. Bitte antworten Sie mir endlich!", "Auch darum kümmern wir uns:"),
        ("zh", "还是没有回复", "我两周前就发邮件询问导出的问题，到现在还没有人回复。请尽快回复我！", "我们也会一并办理"),
    ] {
        let o = outcome(subject, &format!("{WEDNESDAY} +0000"), text);
        let body = o.draft.map(|d| d.body).unwrap_or_default();
        assert!(!body.contains(heading), "{lang}: {heading:?} in\n{body}");
    }
}

/// The user they ask us to add is named back by the address they gave, in the promise to set
/// them up (round-8 and round-9 reviews, all languages: "names neither the user nor the
/// request"); their own account's address is not taken for the new user's.
#[test]
fn the_user_to_add_is_named_back_by_their_address() {
    let cases = [
        ("en", "New user", "Hello, please add our new colleague Mia Lang (mia.lang@customer.example) as a user with editor rights. Thanks!"),
        ("de", "Neuer Benutzer", "Guten Tag, bitte legen Sie für unsere neue Kollegin Mia Lang (mia.lang@customer.example) einen Benutzer mit Bearbeiterrechten an."),
        ("zh", "添加新用户", "您好，请为新同事林佳添加新用户，邮箱是 mia.lang@customer.example，需要编辑权限，谢谢。"),
        ("ko", "사용자 추가 요청", "안녕하세요. 새로 입사한 동료 정하늘(mia.lang@customer.example)을 편집자 권한 사용자로 추가해 주세요."),
        ("he", "הוספת משתמש", "שלום, אבקש להוסיף משתמשת חדשה עבור מיה לנג (mia.lang@customer.example) עם הרשאות עריכה."),
        // Rounds 13-14: the person first, then "add her to our account" in its own words.
        ("en", "New starter", "We have a new starter on Monday. Could you please add her to our account?\n\nName: Mia Lang\nEmail: mia.lang@customer.example"),
        ("ja", "アカウント追加", "12月から入社したメンバーのアカウント追加をお願いいたします。\n\n氏名：林 美亜\nメール：mia.lang@customer.example"),
        ("ko", "사용자 추가", "이번 주에 입사한 직원이 있어서 계정에 사용자 한 명 추가 부탁드립니다.\n\n- 이메일: mia.lang@customer.example"),
        ("et", "Uus kasutaja", "Meie büroosse tuli uus töötaja. Palun lisage ta meie kontole kasutajaks:\n\nNimi: Mia Lang\nE-post: mia.lang@customer.example"),
    ];
    for (lang, subject, text) in cases {
        let o = outcome(subject, &format!("{WEDNESDAY} +0000"), text);
        let asks = asks(&o);
        let body = o.draft.map(|d| d.body).unwrap_or_default();
        assert!(
            asks.iter().any(|a| a == "user_add"),
            "{lang}: asks {asks:?}"
        );
        assert!(
            body.contains("mia.lang@customer.example"),
            "{lang}: the new user's address not in\n{body}"
        );
    }
}

/// A feature suggestion is thanked and passed on, never answered with a promise to "confirm
/// it's done" (round-9 reviews, all nine languages).
#[test]
fn a_suggestion_is_passed_on_not_promised_as_done() {
    // (language, subject, text, passed on, what promises it done).
    let cases = [
        ("en", "Idea: dark mode", "Hi team, love the app! It would be great if you could add a dark mode for the dashboard, our night shift would really appreciate it.", "passed it on", "confirm it's done"),
        ("de", "Verbesserungsvorschlag", "Hallo, ein Verbesserungsvorschlag: Es wäre schön, wenn man Berichte direkt als Excel-Datei exportieren könnte.", "weitergegeben", "Sobald alles erledigt ist"),
        ("zh", "功能建议", "你们好，提个建议：希望能增加深色模式，晚上用的时候眼睛会舒服很多。", "转给负责产品规划的同事", "告诉您处理结果"),
        ("ja", "機能追加のご要望", "いつも便利に使わせていただいております。ダークモードがあると嬉しいです。ご検討いただけますと幸いです。", "共有いたしました", "結果をご報告"),
        ("ko", "기능 제안", "안녕하세요. 다크 모드가 있으면 좋겠습니다. 야간 근무자들이 많이 씁니다.", "전달했습니다", "결과를 말씀드리겠습니다"),
    ];
    for (lang, subject, text, passed_on, done) in cases {
        let o = outcome(subject, &format!("{WEDNESDAY} +0000"), text);
        let category = o.category.clone().unwrap_or_default();
        let body = o.draft.map(|d| d.body).unwrap_or_default();
        assert!(
            body.contains(passed_on),
            "{lang} ({category}): {passed_on:?} not in\n{body}"
        );
        assert!(
            !body.contains(done),
            "{lang} ({category}): {done:?} in\n{body}"
        );
    }
}

#[test]
fn a_title_signed_under_the_letter_and_a_formal_letter_set_the_greeting() {
    // (message in tests/drafts/greeting/, the greeting line expected). Round-10 reviews in
    // nine languages: the title is often only in the signature ("Dr Margaret Ellison",
    // "教授・医学博士", "김혜진 교수"), a department's letter is signed by a person, and a
    // formal letter ("Dear Sir or Madam", "Sehr geehrte Damen und Herren", "拝啓", "수신:")
    // is not answered with the casual greeting. Never a greeting from an address.
    let cases = [
        ("en-title-in-signature", "Dear Dr Ellison,"),
        ("en-formal-no-name", "Dear Sir or Madam,"),
        ("en-formal-signed", "Dear J. Hargreaves,"),
        ("de-prof-dr", "Guten Tag Prof. Dr. Martin Engel,"),
        ("de-formal-frau-dr", "Sehr geehrte Frau Dr. Reuter,"),
        ("de-formal-department", "Sehr geehrte Damen und Herren,"),
        ("fr-professeure", "Bonjour Madame la Professeure,"),
        ("fr-formal", "Madame, Monsieur,"),
        ("es-catedratico", "Estimado Dr. Soler:"),
        ("es-formal", "Estimados señores:"),
        ("et-prof", "Tere, professor Kõiv!"),
        ("et-formal", "Lugupeetud Kalev Saar!"),
        ("he-prof", "שלום פרופ' ברגר,"),
        ("he-formal-signed", "לכבוד רחל סויסה, שלום רב,"),
        ("ja-professor", "近藤 博 先生"),
        ("ja-department-person", "田中 裕子 様"),
        ("ja-formal-signed", "大野 真由美 様"),
        ("ja-login-name", "お客様"),
        ("ko-professor", "김혜진 교수님, 안녕하세요."),
        ("ko-formal-team-lead", "류성호 팀장님, 안녕하십니까."),
        ("ko-person", "이은주 님, 안녕하세요."),
        ("zh-professor", "邓志远教授，您好！"),
        // Never a title guessed: "Professeur" alone is a lycée teacher's job.
        ("fr-teacher-no-professor", "Bonjour Monsieur Seck,"),
        ("zh-department-signed", "杨老师，您好！"),
    ];
    for (name, greeting) in cases {
        let path = root().join(format!("tests/drafts/greeting/{name}.eml"));
        let raw = std::fs::read(&path).expect("greeting fixture");
        let (template, body) = draft(&raw);
        let lang = &name[..2];
        assert!(template.starts_with(lang), "{name}: {template}");
        let first = body.lines().next().unwrap_or_default();
        assert_eq!(first, greeting, "{name}: {body}");
    }
    // Round 13 (en fr de es): a formal letter is closed formally too, not "Kind regards".
    let closings = [
        ("en-formal-no-name", "Yours faithfully,"),
        ("en-formal-signed", "Yours sincerely,"),
        ("de-formal-department", "Mit freundlichen Grüßen"),
        ("fr-formal", "Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées."),
        ("es-formal", "Atentamente,"),
    ];
    for (name, closing) in closings {
        let path = root().join(format!("tests/drafts/greeting/{name}.eml"));
        let raw = std::fs::read(&path).expect("greeting fixture");
        let (_, body) = draft(&raw);
        assert!(
            body.lines().any(|l| l == closing),
            "{name}: {closing:?} not in\n{body}"
        );
    }
    // A formal Japanese letter is thanked in the register of 拝啓, not with the everyday line.
    let raw = std::fs::read(root().join("tests/drafts/greeting/ja-formal-signed.eml"))
        .expect("greeting fixture");
    let (_, body) = draft(&raw);
    assert!(body.contains("平素は格別のご高配を賜り"), "{body}");
    assert!(!body.contains("いつもお世話になっております"), "{body}");
}

/// Native reviewers (7 of 9 languages): a customer charged twice was told "we're sorry about
/// the problem with the £249.00 charge … if we find you were charged more than you should have
/// been, we'll refund the extra amount". The draft names the double charge, says they pay once
/// and promises the duplicate back in full once confirmed, with no "if we find".
#[test]
fn a_double_charge_is_named_and_its_refund_is_not_hedged() {
    let cases = [
        ("en", "Charged twice for December", "Hello, we've been charged twice for our December subscription - two payments of £249.00 each on invoice INV-2026-12044. Please refund the duplicate payment.", "charged twice", "refund it in full", "If we find"),
        ("de", "Doppelte Abbuchung Dezember", "Guten Tag, uns wurde das Dezember-Abonnement doppelt abgebucht, zweimal 249,00 € für die Rechnung INV-2026-12044. Bitte erstatten Sie die doppelte Zahlung.", "doppelt abgebucht", "in voller Höhe", "Sollte Ihnen zu viel"),
        ("fr", "Double prélèvement", "Bonjour, vous nous avez prélevé deux fois l'abonnement de décembre (facture INV-2026-12044, 249,00 €). Merci de rembourser le prélèvement en double.", "prélevé deux fois", "rembourserons intégralement", "prélevé à tort"),
        ("es", "Cobro duplicado", "Hola, me han cobrado dos veces la suscripción de diciembre: dos cargos de 249,00 € por la factura INV-2026-12044. Por favor, devuélvanme el cobro duplicado.", "cobrado dos veces", "le devolveremos íntegramente", "Si comprobamos"),
        ("et", "Topeltmakse detsembri eest", "Tere, detsembri tellimuse eest võeti meilt raha kaks korda, arve INV-2026-12044, kaks makset summas 249,00 €. Palun makske topeltmakse tagasi.", "kaks korda", "täies ulatuses tagasi", "Kui selgub"),
        ("he", "חיוב כפול", "שלום, חויבתי פעמיים על המנוי של דצמבר, חשבונית מספר INV-2026-12044, פעמיים ₪249. נבקש החזר של החיוב הכפול.", "חויבתם פעמיים", "את מלוא הסכום", "אם יתברר"),
        ("ja", "二重請求について", "12月分の利用料が二重に請求されています（請求書番号 INV-2026-12044、3,000円が2回引き落とされました）。重複分の返金をお願いします。", "二重に", "全額", "誤ってご請求していた金額があれば"),
        ("ko", "이중 결제", "12월 구독료가 두 번 결제되었습니다. 인보이스 INV-2026-12044, 12,000원이 중복 결제되었습니다. 환불 부탁드립니다.", "두 번 결제", "전액", "환불도 함께 검토해"),
        ("zh", "重复扣款", "十二月的订阅费被扣了两次，发票号 INV-2026-12044，每次 ¥3,000。请退还重复扣款。", "扣了两次", "全额", "如果核实确有"),
    ];
    for (lang, subject, text, twice, refund, hedge) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert_eq!(template, format!("{lang}/billing"), "{body}");
        assert!(
            body.contains(twice),
            "{lang}: {twice:?} missing from {body}"
        );
        assert!(
            body.contains(refund),
            "{lang}: {refund:?} missing from {body}"
        );
        assert!(!body.contains(hedge), "{lang}: {hedge:?} in {body}");
        assert!(body.contains("INV-2026-12044"), "{lang}: {body}");
    }
    // A billing question that names no double charge keeps the careful check.
    let (template, body) = reply(
        "Alex <alex@customer.example>",
        "Question about invoice INV-2026-12044",
        "Our invoice INV-2026-12044 is higher than last month. Could you please refund the difference if we were overcharged?",
    );
    assert_eq!(template, "en/billing", "{body}");
    assert!(!body.contains("charged twice"), "{body}");
}

/// Native reviewers (en, es, et, ja, ko, zh): "Is there a fix coming, or should we go back to
/// 5.1?" got "we're looking into what changed". The promise says we'll tell them whether a fix
/// is on the way or whether to go back for now, to the version they named or "the earlier
/// version".
#[test]
fn a_regression_draft_answers_whether_to_go_back_to_the_earlier_version() {
    let cases = [
        ("en", "Sync stopped after updating to 5.2", "Since we updated the desktop app to version 5.2 last week, sync has stopped working on all our machines. It worked fine before the update. Is there a fix coming, or should we go back to 5.1?", "whether you should go back to version 5.1 for now"),
        ("de", "Synchronisierung geht seit Version 5.2 nicht mehr", "Seit dem Update der Desktop-App auf Version 5.2 funktioniert die Synchronisierung nicht mehr. Vorher lief alles einwandfrei. Kommt ein Fix, oder sollen wir zurück auf 5.1?", "vorerst besser zu Version 5.1 zurückkehren"),
        ("fr", "La synchronisation ne fonctionne plus depuis la version 5.2", "Depuis la mise à jour de l'application de bureau vers la version 5.2, la synchronisation ne fonctionne plus. Avant, tout marchait parfaitement. Un correctif est-il prévu, ou faut-il revenir à la version 5.1 ?", "revenir pour l'instant à la version 5.1"),
        ("es", "La sincronización no funciona desde la versión 5.2", "Desde que actualizamos la aplicación de escritorio a la versión 5.2, la sincronización ha dejado de funcionar. Antes funcionaba sin problemas. ¿Habrá una corrección o debemos volver a la versión 5.1?", "volver de momento a la versión 5.1"),
        ("et", "Sünkroonimine ei tööta pärast uuendust", "Pärast töölauarakenduse uuendamist versioonile 5.2 ei tööta sünkroonimine enam. Enne uuendust toimis kõik laitmatult. Kas parandus on tulemas või peaksime minema tagasi versioonile 5.1?", "seniks minna tagasi versioonile 5.1"),
        ("he", "הסנכרון הפסיק לעבוד מאז גרסה 5.2", "מאז העדכון לגרסה 5.2 הסנכרון באפליקציה לשולחן העבודה הפסיק לעבוד. לפני העדכון הכול עבד מצוין. האם יש תיקון בדרך, או שכדאי לנו לחזור לגרסה 5.1?", "לחזור בינתיים לגרסה 5.1"),
        ("ja", "アップデート後に同期が失敗します", "デスクトップアプリをバージョン5.2にアップデートしてから、同期ができなくなりました。アップデート前は問題なく動いていました。修正の予定はありますか。それとも5.1に戻すべきでしょうか。", "バージョン5.1に戻して"),
        ("ko", "업데이트 후 동기화 오류", "데스크톱 앱을 5.2 버전으로 업데이트한 이후로 동기화가 되지 않습니다. 업데이트 전에는 잘 되었습니다. 수정 업데이트가 나올 예정인가요, 아니면 이전 버전으로 되돌려야 할까요?", "이전 버전으로 되돌려 쓰시는"),
        ("zh", "更新后同步失败", "自从把桌面客户端更新到 5.2 版本以后，同步就不能用了，更新之前一直都正常。会有修复吗，还是我们应该退回到5.1？", "暂时退回到 5.1 版本"),
    ];
    for (lang, subject, text, answer) in cases {
        let (template, body) = reply("Alex <alex@customer.example>", subject, text);
        assert_eq!(template, format!("{lang}/regression"), "{body}");
        assert!(
            body.contains(answer),
            "{lang}: {answer:?} missing from {body}"
        );
    }
    // Only the new version known: "the earlier version", never the broken one.
    let (template, body) = reply(
        "Alex <alex@customer.example>",
        "Sync stopped after updating to 5.2",
        "Since we updated the desktop app to version 5.2 last week, sync has stopped working. It worked fine before the update. Should we roll back to the previous version until it's fixed?",
    );
    assert_eq!(template, "en/regression", "{body}");
    assert!(
        body.contains("go back to the earlier version for now"),
        "{body}"
    );
    // Without the question, the promise stays as it was.
    let (_, body) = reply(
        "Alex <alex@customer.example>",
        "Sync stopped after updating to 5.2",
        "Since we updated the desktop app to version 5.2 last week, sync has stopped working on all our machines. It worked fine before the update.",
    );
    assert!(!body.contains("go back to"), "{body}");
}
