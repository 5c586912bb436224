using System.Collections.Concurrent;
using System.Security.Cryptography;
using Netstack.Api.Contracts.Containers;

namespace Netstack.Daemon.Containers;

/// <summary>
/// The engine's exec instances: made by <c>POST /containers/{id}/exec</c>, run once by
/// <c>POST /exec/{id}/start</c>, read by <c>GET /exec/{id}/json</c> for the exit code. Kept in
/// memory (as the engine does); the oldest go once there are more than <see cref="Limit"/>.
/// </summary>
internal sealed class ExecSessions
{
    // Enough for any client between its start and its inspect; bounds memory when clients never ask.
    private const int Limit = 1024;

    private readonly ConcurrentDictionary<string, ExecSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();

    public ExecSession Add(string containerId, ExecConfig config)
    {
        var session = new ExecSession(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), containerId, config);
        _sessions[session.Id] = session;
        _order.Enqueue(session.Id);
        while (_order.Count > Limit && _order.TryDequeue(out var oldest))
        {
            _sessions.TryRemove(oldest, out _);
        }
        return session;
    }

    public ExecSession? Find(string id) => _sessions.GetValueOrDefault(id);
}

/// <summary>One exec instance; <see cref="TryBegin"/> lets it run once.</summary>
internal sealed class ExecSession(string id, string containerId, ExecConfig config)
{
    private int _begun;

    public string Id { get; } = id;

    public string ContainerId { get; } = containerId;

    public ExecConfig Config { get; } = config;

    public bool Running { get; set; }

    public int ExitCode { get; set; }

    /// <summary>The running process of an exec with a terminal (<c>exec -t</c> on a hijacked start).</summary>
    public Runtime.Containers.TerminalExec? Terminal { get; set; }

    /// <summary>A size asked for before the terminal existed (the CLI resizes right after the start), applied once it does.</summary>
    public (ushort Rows, ushort Columns)? PendingSize { get; set; }

    /// <summary>True the first time only: the engine refuses to start an exec twice.</summary>
    public bool TryBegin() => Interlocked.Exchange(ref _begun, 1) == 0;
}
