namespace Hearth.Hub;

/// <summary>
/// One file of a repository revision as the Hub lists it: its path, size and content id. For a file stored with
/// Git LFS (every GGUF) <see cref="Sha256"/> is the LFS oid, the file's SHA-256, which also names its blob in the
/// cache; for a small file kept in git, <see cref="GitOid"/> is the git blob id (SHA-1 of "blob SIZE\0" + content).
/// </summary>
public sealed record HubFile(string Path, long Size, string? Sha256, string? GitOid)
{
    /// <summary>The cache's blob name: the LFS SHA-256, else the git blob id (as huggingface_hub names blobs by ETag).</summary>
    public string BlobName => Sha256 ?? GitOid ?? throw new InvalidOperationException($"The Hub listed '{Path}' without a content id.");
}
