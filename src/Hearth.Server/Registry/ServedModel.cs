namespace Hearth.Server;

/// <summary>A model the server can serve: a GGUF path (a split model's first part) and the name clients ask for.</summary>
public sealed record ServedModel(string Path, string? Id = null);
