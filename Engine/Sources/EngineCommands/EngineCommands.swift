// EngineCommands module.
