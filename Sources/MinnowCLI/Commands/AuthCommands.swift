// Account commands: register, login, logout, whoami, password.
import APITypes
import ArgumentParser
import Foundation

struct Register: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create an account, then sign in to it.")

    @OptionGroup var options: ClientOptions
    @Option(help: "3–32 characters: letters, digits, '.', '_' or '-'.") var username: String
    @Flag(help: "Read the password from standard input instead of prompting.") var passwordStdin = false

    func run() async throws {
        let password = try PasswordInput.read(prompt: "Choose a password: ", fromStandardInput: passwordStdin)
        let client = try options.client(authenticated: false)
        let user = try await client.register(body: .json(.init(username: username, password: password))).created.body
            .json
        let token = try await client.login(body: .json(.init(username: username, password: password))).ok.body.json
        try CredentialsStore.save(
            .init(
                server: options.serverURL, username: user.username, accessToken: token.accessToken,
                expiresAt: token.expiresAt))
        if options.json {
            try Output.json(user)
        } else {
            print("Registered and signed in as \(user.username) at \(options.serverURL).")
        }
    }
}

struct Login: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Sign in and store the access token (file mode 0600).")

    @OptionGroup var options: ClientOptions
    @Option(help: "Your username.") var username: String
    @Flag(help: "Read the password from standard input instead of prompting.") var passwordStdin = false

    func run() async throws {
        let password = try PasswordInput.read(prompt: "Password: ", fromStandardInput: passwordStdin)
        let client = try options.client(authenticated: false)
        let token = try await client.login(body: .json(.init(username: username, password: password))).ok.body.json
        try CredentialsStore.save(
            .init(
                server: options.serverURL, username: username.lowercased(), accessToken: token.accessToken,
                expiresAt: token.expiresAt))
        if options.json {
            try Output.json([
                "server": options.serverURL, "username": username.lowercased(),
                "expiresAt": Output.date(token.expiresAt),
            ])
        } else {
            print(
                "Signed in as \(username.lowercased()) at \(options.serverURL) until \(Output.date(token.expiresAt)).")
        }
    }
}

struct Logout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Sign out: revoke the stored access token and forget it.")

    @OptionGroup var options: ClientOptions

    func run() async throws {
        guard let stored = CredentialsStore.load() else {
            throw CLIFailure("Not signed in; nothing to do.")
        }
        defer { CredentialsStore.remove() }
        _ = try await options.client().logout().noContent
        if options.json {
            try Output.json(["signedOut": stored.username])
        } else {
            print("Signed out \(stored.username).")
        }
    }
}

struct Whoami: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show who you are signed in as.")

    @OptionGroup var options: ClientOptions

    func run() async throws {
        let user = try await options.client().getCurrentUser().ok.body.json
        if options.json {
            try Output.json(user)
        } else {
            Output.fields([
                ("username", user.username), ("id", user.id), ("server", options.serverURL),
                ("since", Output.date(user.createdAt)),
            ])
        }
    }
}

struct Password: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Change your password. Every other session is signed out; this one continues.",
        discussion: "With --password-stdin, give the current password on the first line and the new one on the second."
    )

    @OptionGroup var options: ClientOptions
    @Flag(help: "Read both passwords from standard input, one per line.") var passwordStdin = false

    func run() async throws {
        let current = try PasswordInput.read(prompt: "Current password: ", fromStandardInput: passwordStdin)
        let new = try PasswordInput.read(prompt: "New password: ", fromStandardInput: passwordStdin)
        let token = try await options.client().changePassword(
            body: .json(.init(currentPassword: current, newPassword: new))
        ).ok.body.json
        if var stored = CredentialsStore.load(), stored.server == options.serverURL {
            stored.accessToken = token.accessToken
            stored.expiresAt = token.expiresAt
            try CredentialsStore.save(stored)
        }
        if options.json {
            try Output.json(["passwordChanged": true])
        } else {
            print("Password changed; other sessions are signed out.")
        }
    }
}

struct Account: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage your account.", subcommands: [Delete.self])

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete your account and everything it owns. This cannot be undone.")

        @OptionGroup var options: ClientOptions
        @Flag(help: "Confirm that everything you own should be deleted.") var yes = false

        func validate() throws {
            guard yes else {
                throw ValidationError(
                    "This deletes your account, projects, data and keys for good; add --yes to confirm.")
            }
        }

        func run() async throws {
            _ = try await options.client().deleteAccount().noContent
            CredentialsStore.remove()
            if options.json {
                try Output.json(["deleted": true])
            } else {
                print("Your account and everything it owned are deleted.")
            }
        }
    }
}
