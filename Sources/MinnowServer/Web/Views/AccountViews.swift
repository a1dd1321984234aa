// Sign-up / sign-in form and the account page.
import Foundation
import MinnowCore

extension Views {
    static func signedOutForm(
        signUp: Bool, username: String, csrf: String, next: String?, errors: FormErrors, notice: String? = nil
    ) -> HTML {
        let title = signUp ? "Create an account" : "Sign in"
        let action = signUp ? WebRoute.signUp.path : WebRoute.signIn.path
        let other: HTML =
            signUp
            ? "<p>Already have an account? <a href=\"\(WebRoute.signIn.path)\">Sign in</a>.</p>"
            : "<p>New here? <a href=\"\(WebRoute.signUp.path)\">Create an account</a>.</p>"
        return layout(
            title: title, session: nil, notice: notice,
            """
            <section class="narrow">
            <h1>\(title)</h1>
            \(errorSummary(errors))
            <form method="post" action="\(action)" novalidate>
            <input type="hidden" name="\(CSRFTokens.formField)" value="\(csrf)">
            \(next.map { HTML("<input type=\"hidden\" name=\"next\" value=\"\($0)\">") })
            \(field("Username", name: "username", value: username, errors: errors, hint: signUp ? "3–32 characters: letters, digits, . _ -" : nil, attributes: "autocomplete=\"username\" required autofocus"))
            \(field("Password", name: "password", type: "password", errors: errors, hint: signUp ? "At least 8 characters." : nil, attributes: HTML(unsafeRaw: signUp ? "autocomplete=\"new-password\" required" : "autocomplete=\"current-password\" required")))
            <button type="submit">\(title)</button>
            </form>
            \(other)
            </section>
            """)
    }

    static func account(session: WebSession, errors: FormErrors, notice: String?) -> HTML {
        layout(
            title: "Account", session: session, notice: notice,
            """
            <h1>Account: \(session.user.username)</h1>
            \(errorSummary(errors))
            <section>
            <h2>Change password</h2>
            <form method="post" action="\(WebRoute.changePassword.path)" class="narrow-form" novalidate>
            \(csrfField(session))
            \(field("Current password", name: "currentPassword", type: "password", errors: errors, attributes: "autocomplete=\"current-password\" required"))
            \(field("New password", name: "newPassword", type: "password", errors: errors, hint: "At least 8 characters. Other sessions and tokens are signed out.", attributes: "autocomplete=\"new-password\" required"))
            <button type="submit">Change password</button>
            </form>
            </section>
            <section class="danger-zone">
            <h2>Delete account</h2>
            <p>This deletes your account, every project, image and API key. It cannot be undone.</p>
            <form method="post" action="\(WebRoute.deleteAccount.path)" data-confirm="Delete your account and everything in it?" novalidate>
            \(csrfField(session))
            \(field("Type your username to confirm", name: "confirmUsername", errors: errors, attributes: "autocomplete=\"off\" required"))
            <button type="submit" class="danger">Delete my account</button>
            </form>
            </section>
            """)
    }
}
