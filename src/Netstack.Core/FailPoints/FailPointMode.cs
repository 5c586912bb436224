namespace Netstack.Core.FailPoints;

/// <summary>What an armed fail point does when its step is reached.</summary>
public enum FailPointMode
{
    /// <summary><c>kill -9</c> of the daemon's own process: no finally block, no flush, no undo runs, as in a crash.</summary>
    Crash,

    /// <summary>The step throws <see cref="FailPointException"/>: the operation's own error handling (its undo) runs.</summary>
    Error,
}
