using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Netstack.Runtime.Processes;
using Netstack.Runtime.Storage;

namespace Netstack.Runtime.Images;

/// <summary>
/// Images are root file system tarballs, extracted once under <c>{DataRoot}/images/{id}/rootfs</c>
/// and shared read-only by every container (as the overlay's lower layer). The id is the sha256 of
/// the tarball, so importing the same file twice only adds a tag.
/// </summary>
public sealed class ImageStore : IDisposable
{
    private readonly RuntimeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, ImageRecord> _images = new(StringComparer.Ordinal);
    private bool _loaded;

    public ImageStore(RuntimeOptions options, TimeProvider timeProvider, ILogger<ImageStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _options = options;
        _time = timeProvider;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// Serialises every change to images and the container create/delete steps that use them,
    /// so an image cannot be removed while a container is being made from it.
    /// </summary>
    internal SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>Asks which containers use an image id (set by the container runtime).</summary>
    internal Func<string, IReadOnlyList<string>>? UsersOf { get; set; }

    /// <summary>
    /// Imports a rootfs tarball (plain, gzip or xz) as <paramref name="reference"/> (<c>name[:tag]</c>).
    /// A tag already on another image moves to this one. Equivalent to: docker import FILE NAME:TAG.
    /// </summary>
    public async Task<ImageInfo> ImportAsync(string tarPath, string reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tarPath);
        var parsed = ImageReference.Parse(reference);
        if (!File.Exists(tarPath))
        {
            throw RuntimeException.Invalid($"image file \"{tarPath}\" does not exist");
        }
        var id = await HashFileAsync(tarPath, cancellationToken).ConfigureAwait(false);

        // Extraction (the slow part) runs outside the gate, so containers can be created meanwhile;
        // the rename into place happens under it.
        await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            EnsureLoaded();
            if (_images.ContainsKey(id))
            {
                return MoveTag(parsed.ToString(), id).ToInfo();
            }
        }
        finally
        {
            Gate.Release();
        }

        var (staging, record) = await ExtractAsync(tarPath, id, cancellationToken).ConfigureAwait(false);
        await Gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (_images.ContainsKey(id))
            {
                // The same tarball was imported concurrently: keep that copy.
                await DeleteTreeAsync(staging, CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                Directory.Move(staging, Path.Combine(_options.ImagesDir, id));
                _images[id] = record;
                Log.ImageImported(_logger, id, parsed.ToString());
            }
            return MoveTag(parsed.ToString(), id).ToInfo();
        }
        catch
        {
            await DeleteTreeAsync(staging, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Every image, newest first.</summary>
    public IReadOnlyList<ImageInfo> List()
    {
        Gate.Wait();
        try
        {
            EnsureLoaded();
            return [.. _images.Values.OrderByDescending(i => i.Created).Select(i => i.ToInfo())];
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>
    /// Finds an image by <c>name[:tag]</c> (tag "latest" when omitted), by id (with or without
    /// "sha256:") or by an unambiguous id prefix; throws not-found naming the image.
    /// </summary>
    public ImageInfo Resolve(string reference)
    {
        Gate.Wait();
        try
        {
            return ResolveLocked(reference).ToInfo();
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>
    /// Removes a reference. By tag: the tag goes, and the image with it when it was the last tag.
    /// By id: the image and all its tags. Refused (conflict) while a container uses the image.
    /// Equivalent to: docker image rm REF.
    /// </summary>
    public async Task<ImageInfo> RemoveAsync(string reference, CancellationToken cancellationToken = default)
    {
        await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var record = ResolveLocked(reference);
            var byTag = TryNormalizeTag(reference, out var tag) && record.Tags.Contains(tag);
            if (byTag && record.Tags.Count > 1)
            {
                record.Tags.Remove(tag);
                Persist(record);
                return record.ToInfo();
            }
            var users = UsersOf?.Invoke(record.Id) ?? [];
            if (users.Count > 0)
            {
                throw RuntimeException.Conflict(
                    $"image \"{reference}\" ({record.Id[..12]}) is in use by container {users[0][..12]}: remove the container first");
            }
            await DeleteImageDirAsync(record.Id, cancellationToken).ConfigureAwait(false);
            _images.Remove(record.Id);
            Log.ImageRemoved(_logger, record.Id);
            return record.ToInfo();
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>The extracted root file system of an image (the overlay's lower directory).</summary>
    internal string RootfsPath(string imageId) => Path.Combine(_options.ImagesDir, imageId, "rootfs");

    /// <summary>Resolve for callers already holding <see cref="Gate"/>.</summary>
    internal ImageRecord ResolveLocked(string reference)
    {
        EnsureLoaded();
        if (string.IsNullOrWhiteSpace(reference))
        {
            throw RuntimeException.Invalid("image reference is empty: expected NAME[:TAG] or an image id");
        }
        var candidate = reference.StartsWith("sha256:", StringComparison.Ordinal) ? reference[7..] : reference;
        if (_images.TryGetValue(candidate, out var exact))
        {
            return exact;
        }
        if (TryNormalizeTag(reference, out var tag))
        {
            var tagged = _images.Values.FirstOrDefault(i => i.Tags.Contains(tag));
            if (tagged is not null)
            {
                return tagged;
            }
        }
        if (candidate.Length >= 4 && candidate.All(Uri.IsHexDigit))
        {
            var matches = _images.Keys.Where(k => k.StartsWith(candidate, StringComparison.Ordinal)).Take(2).ToList();
            if (matches.Count == 1)
            {
                return _images[matches[0]];
            }
            if (matches.Count > 1)
            {
                throw RuntimeException.Invalid($"image id prefix \"{reference}\" is ambiguous: give more digits");
            }
        }
        throw RuntimeException.NotFound(
            $"no such image: \"{reference}\" (import it first: netstack image import FILE {reference})");
    }

    public void Dispose() => Gate.Dispose();

    private static bool TryNormalizeTag(string reference, out string tag)
    {
        if (ImageReference.TryParse(reference, out var parsed, out _))
        {
            tag = parsed.ToString();
            return true;
        }
        tag = "";
        return false;
    }

    private ImageRecord MoveTag(string tag, string id)
    {
        foreach (var other in _images.Values.Where(i => i.Id != id && i.Tags.Contains(tag)).ToList())
        {
            other.Tags.Remove(tag);
            Persist(other);
        }
        var record = _images[id];
        if (!record.Tags.Contains(tag))
        {
            record.Tags.Add(tag);
            Persist(record);
        }
        return record;
    }

    /// <summary>Extracts into a staging directory next to the final place; the caller renames it into place.</summary>
    private async Task<(string Staging, ImageRecord Record)> ExtractAsync(string tarPath, string id, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_options.ImagesDir);
        // Extract next to the final place and rename, so a crash never leaves a half image under its id.
        var staging = Path.Combine(_options.ImagesDir, $".import-{id[..12]}-{Guid.NewGuid():N}");
        var rootfs = Path.Combine(staging, "rootfs");
        try
        {
            Directory.CreateDirectory(rootfs);
            // GNU tar as root keeps modes, owners (numeric), symlinks, hard links and device nodes,
            // refuses members that climb out with "..", and strips a leading "/".
            var result = await CommandRunner.RunAsync(
                "tar",
                ["-x", "-f", Path.GetFullPath(tarPath), "-C", rootfs, "--numeric-owner", "--same-owner", "--same-permissions"],
                cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw RuntimeException.Invalid($"image file \"{tarPath}\" is not a readable tar archive: {result.Diagnostic}");
            }
            var record = new ImageRecord
            {
                Id = id,
                Created = _time.GetUtcNow(),
                Size = MeasureSize(rootfs),
            };
            WriteRecord(Path.Combine(staging, "image.json"), record);
            return (staging, record);
        }
        catch
        {
            await DeleteTreeAsync(staging, cancellationToken).ConfigureAwait(false);
            throw;
        }
    }

    private void Persist(ImageRecord record) =>
        WriteRecord(Path.Combine(_options.ImagesDir, record.Id, "image.json"), record);

    private static void WriteRecord(string path, ImageRecord record) =>
        AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(record, RuntimeJsonContext.Default.ImageRecord));

    private void EnsureLoaded()
    {
        if (_loaded)
        {
            return;
        }
        if (Directory.Exists(_options.ImagesDir))
        {
            foreach (var dir in Directory.EnumerateDirectories(_options.ImagesDir))
            {
                var name = Path.GetFileName(dir);
                if (name.StartsWith(".import-", StringComparison.Ordinal))
                {
                    // Left by an import that died; never visible under an id.
                    DeleteTreeAsync(dir, CancellationToken.None).GetAwaiter().GetResult();
                    continue;
                }
                var file = Path.Combine(dir, "image.json");
                try
                {
                    var record = JsonSerializer.Deserialize(File.ReadAllBytes(file), RuntimeJsonContext.Default.ImageRecord);
                    if (record is not null && record.Id == name)
                    {
                        _images[record.Id] = record;
                    }
                }
                catch (Exception ex) when (ex is IOException or JsonException)
                {
                    Log.ImageUnreadable(_logger, dir, ex);
                }
            }
        }
        _loaded = true;
    }

    private async Task DeleteImageDirAsync(string id, CancellationToken cancellationToken)
    {
        // Rename first so a crash mid-delete leaves no half image under the id.
        var dir = Path.Combine(_options.ImagesDir, id);
        var doomed = Path.Combine(_options.ImagesDir, $".import-removing-{id[..12]}-{Guid.NewGuid():N}");
        Directory.Move(dir, doomed);
        await DeleteTreeAsync(doomed, cancellationToken).ConfigureAwait(false);
    }

    internal static async Task DeleteTreeAsync(string path, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(path))
        {
            return;
        }
        try
        {
            // Directory.Delete follows no symlinks, but an image can hold read-only directories;
            // as root that is no obstacle.
            Directory.Delete(path, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var result = await CommandRunner.RunAsync("rm", ["-rf", "--one-file-system", path], cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw RuntimeException.Failed($"cannot remove {path}: {result.Diagnostic}", ex);
            }
        }
    }

    private static long MeasureSize(string rootfs)
    {
        long total = 0;
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
        foreach (var file in new DirectoryInfo(rootfs).EnumerateFiles("*", options))
        {
            total += file.Length;
        }
        return total;
    }

    private static async Task<string> HashFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        var hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
        return Convert.ToHexStringLower(hash);
    }
}
