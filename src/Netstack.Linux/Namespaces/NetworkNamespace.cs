using System.Runtime.ExceptionServices;

namespace Netstack.Linux;

/// <summary>
/// A network namespace held open by a file descriptor. Named namespaces are files bind-mounted
/// under a directory (default <see cref="DefaultDirectory"/>), as <c>ip netns add</c> makes them
/// under /run/netns, so they outlive the process. <see cref="Run{T}"/> executes code inside the
/// namespace on a dedicated OS thread; nothing else in the process changes namespace.
/// </summary>
public sealed class NetworkNamespace : IDisposable
{
    /// <summary>Where netstack keeps its named namespaces.</summary>
    public const string DefaultDirectory = "/run/netstack/netns";

    // One bind-mount-onto-itself per directory is enough; creations in this process race otherwise.
    private static readonly Lock MountLock = new();

    private readonly SafeFileDescriptor _fd;
    private readonly Lock _netlinkLock = new();
    private NetlinkHandle? _sharedNetlink;

    private NetworkNamespace(SafeFileDescriptor fd, string path, string? name)
    {
        _fd = fd;
        Path = path;
        Name = name;
    }

    /// <summary>The file the namespace is reached by (its bind mount, or a /proc path).</summary>
    public string Path { get; }

    /// <summary>The name for named namespaces, else null.</summary>
    public string? Name { get; }

    internal int DescriptorValue
    {
        get
        {
            ObjectDisposedException.ThrowIf(_fd.IsClosed, this);
            return _fd.Value;
        }
    }

    /// <summary>
    /// Creates a new, empty namespace named <paramref name="name"/> and bind-mounts it at
    /// DIRECTORY/NAME. Equivalent to <c>ip netns add NAME</c> (with /run/netstack/netns in place of /run/netns).
    /// </summary>
    public static NetworkNamespace Create(string name, string directory = DefaultDirectory)
    {
        ValidateName(name);
        var path = System.IO.Path.Combine(directory, name);
        var operation = $"netns add {path}";
        Directory.CreateDirectory(directory);
        MakeSharedMount(directory, operation);

        var pathBytes = Utf8Path.Of(path);
        int created;
        unsafe
        {
            fixed (byte* p = pathBytes)
            {
                created = Interop.Open(p, Interop.O_RDONLY | Interop.O_CREAT | Interop.O_EXCL | Interop.O_CLOEXEC, 0);
            }
        }
        if (created < 0)
        {
            throw NetlinkException.Create(operation, ErrnoText.Last(), null, "a namespace of that name exists already");
        }
        Interop.Close(created);

        try
        {
            // A fresh thread gets the new namespace and bind-mounts it onto the file; the thread then
            // ends, so no thread of the process is left inside it.
            RunOnThread(() =>
            {
                if (Interop.Unshare(Interop.CLONE_NEWNET) != 0)
                {
                    throw NetlinkException.Create(operation + " (unshare)", ErrnoText.Last());
                }
                var source = Utf8Path.Of($"/proc/self/task/{Interop.GetTid()}/ns/net");
                unsafe
                {
                    fixed (byte* s = source)
                    fixed (byte* t = pathBytes)
                    {
                        if (Interop.Mount(s, t, null, Interop.MS_BIND, null) != 0)
                        {
                            throw NetlinkException.Create(operation + " (bind mount)", ErrnoText.Last());
                        }
                    }
                }
                return 0;
            }, name);
            return new NetworkNamespace(OpenDescriptor(path, operation), path, name);
        }
        catch
        {
            Unmount(path);
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Opens the namespace at <paramref name="path"/> (a bind mount, or /proc/PID/ns/net).</summary>
    public static NetworkNamespace Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new NetworkNamespace(OpenDescriptor(path, $"netns open {path}"), path, null);
    }

    /// <summary>Opens the named namespace DIRECTORY/NAME; <see cref="NetlinkNotFoundException"/> if missing.</summary>
    public static NetworkNamespace OpenNamed(string name, string directory = DefaultDirectory)
    {
        ValidateName(name);
        var path = System.IO.Path.Combine(directory, name);
        return new NetworkNamespace(OpenDescriptor(path, $"netns open {name}"), path, name);
    }

    /// <summary>The namespace of the calling thread (the host's, unless called inside <see cref="Run{T}"/>).</summary>
    public static NetworkNamespace OpenCurrent() => Open($"/proc/self/task/{Interop.GetTid()}/ns/net");

    public static bool Exists(string name, string directory = DefaultDirectory) =>
        InterfaceNameLikeValid(name) && File.Exists(System.IO.Path.Combine(directory, name));

    /// <summary>
    /// Removes the named namespace: unmounts and unlinks DIRECTORY/NAME. The kernel destroys the
    /// namespace, and every link in it, once nothing holds it (no open fd, no process inside).
    /// Equivalent to <c>ip netns del NAME</c>.
    /// </summary>
    public static void Delete(string name, string directory = DefaultDirectory)
    {
        ValidateName(name);
        var path = System.IO.Path.Combine(directory, name);
        if (!File.Exists(path))
        {
            throw new NetlinkNotFoundException($"netns del {name}", Errno.ENOENT, null, $"no namespace at {path}");
        }
        Unmount(path);
        File.Delete(path);
    }

    /// <summary>Names of the namespaces under <paramref name="directory"/>. Equivalent to <c>ip netns list</c>.</summary>
    public static IReadOnlyList<string> List(string directory = DefaultDirectory) =>
        Directory.Exists(directory)
            ? Directory.GetFiles(directory).Select(p => System.IO.Path.GetFileName(p)).Order(StringComparer.Ordinal).ToList()
            : [];

    /// <summary>
    /// Runs <paramref name="action"/> on a new OS thread that has entered this namespace, and waits.
    /// Sockets created inside stay in this namespace for life and may be used from any thread
    /// afterwards (e.g. <c>ns.Run(() => new Socket(...))</c>). Do not await inside: a continuation
    /// would resume on a pool thread outside the namespace.
    /// </summary>
    public T Run<T>(Func<T> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var fd = _fd;
        ObjectDisposedException.ThrowIf(fd.IsClosed, this);
        return RunOnThread(() =>
        {
            if (Interop.SetNs(fd, Interop.CLONE_NEWNET) != 0)
            {
                throw NetlinkException.Create($"setns {Path}", ErrnoText.Last());
            }
            return action();
        }, Name ?? Path);
    }

    /// <summary>Runs <paramref name="action"/> inside this namespace; see <see cref="Run{T}"/>.</summary>
    public void Run(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        Run(() =>
        {
            action();
            return 0;
        });
    }

    /// <summary>Opens an rtnetlink handle working in this namespace (the caller disposes it).</summary>
    public NetlinkHandle OpenNetlink() => NetlinkHandle.Open(this);

    /// <summary>
    /// A handle in this namespace owned by this object, opened on first use, for follow-up requests
    /// such as bringing up a veth peer created here from another namespace.
    /// </summary>
    internal NetlinkHandle SharedNetlink
    {
        get
        {
            lock (_netlinkLock)
            {
                return _sharedNetlink ??= NetlinkHandle.Open(this);
            }
        }
    }

    /// <summary>Closes this handle on the namespace; a named namespace stays until <see cref="Delete(string, string)"/>.</summary>
    public void Dispose()
    {
        lock (_netlinkLock)
        {
            _sharedNetlink?.Dispose();
            _sharedNetlink = null;
        }
        _fd.Dispose();
    }

    public override string ToString() => Name ?? Path;

    internal void UseDescriptor(Action<int> action)
    {
        var added = false;
        try
        {
            _fd.DangerousAddRef(ref added);
            action(_fd.Value);
        }
        finally
        {
            if (added)
            {
                _fd.DangerousRelease();
            }
        }
    }

    private static T RunOnThread<T>(Func<T> body, string label)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        // The thread ends when the body returns, so the namespace it entered dies with it; the
        // runtime never hands an explicitly created thread to other work.
        var thread = new Thread(() =>
        {
            try
            {
                result = body();
            }
#pragma warning disable CA1031 // rethrown on the caller's thread
            catch (Exception e)
#pragma warning restore CA1031
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        }, maxStackSize: 1 << 20)
        {
            IsBackground = true,
            Name = "netns " + label,
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    private static SafeFileDescriptor OpenDescriptor(string path, string operation)
    {
        var bytes = Utf8Path.Of(path);
        int fd;
        unsafe
        {
            fixed (byte* p = bytes)
            {
                fd = Interop.Open(p, Interop.O_RDONLY | Interop.O_CLOEXEC, 0);
            }
        }
        if (fd < 0)
        {
            var errno = ErrnoText.Last();
            throw NetlinkException.Create(operation, errno, null, errno == Errno.ENOENT ? $"no namespace at {path}" : null);
        }
        return new SafeFileDescriptor(fd);
    }

    /// <summary>
    /// Makes the directory a shared mount, bind-mounting it onto itself first if it is not a mount
    /// point, as iproute2 does for /run/netns: namespace mounts made under it then propagate to
    /// mount namespaces created later (containers), and unmounting them here removes them there.
    /// </summary>
    private static void MakeSharedMount(string directory, string operation)
    {
        lock (MountLock)
        {
            var dir = Utf8Path.Of(directory);
            var none = Utf8Path.Of("none");
            unsafe
            {
                fixed (byte* d = dir)
                fixed (byte* n = none)
                {
                    if (Interop.Mount(n, d, null, Interop.MS_SHARED | Interop.MS_REC, null) == 0)
                    {
                        return;
                    }
                    if (ErrnoText.Last() != Errno.EINVAL)
                    {
                        throw NetlinkException.Create(operation + $" (make {directory} shared)", ErrnoText.Last());
                    }
                    // EINVAL: not a mount point yet.
                    if (Interop.Mount(d, d, n, Interop.MS_BIND | Interop.MS_REC, null) != 0)
                    {
                        throw NetlinkException.Create(operation + $" (bind {directory} onto itself)", ErrnoText.Last());
                    }
                    if (Interop.Mount(n, d, null, Interop.MS_SHARED | Interop.MS_REC, null) != 0)
                    {
                        throw NetlinkException.Create(operation + $" (make {directory} shared)", ErrnoText.Last());
                    }
                }
            }
        }
    }

    private static void Unmount(string path)
    {
        var bytes = Utf8Path.Of(path);
        unsafe
        {
            fixed (byte* p = bytes)
            {
                // MNT_DETACH: detach now even if a process still has the file open; EINVAL = not mounted.
                Interop.Umount2(p, Interop.MNT_DETACH);
            }
        }
    }

    private static void ValidateName(string name)
    {
        if (!InterfaceNameLikeValid(name))
        {
            throw new ArgumentException($"invalid namespace name \"{name}\": must be 1..255 bytes, without '/', not \".\" or \"..\"", nameof(name));
        }
    }

    private static bool InterfaceNameLikeValid(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 255 && name is not ("." or "..") && !name.Contains('/', StringComparison.Ordinal) && !name.Contains('\0', StringComparison.Ordinal);
}
