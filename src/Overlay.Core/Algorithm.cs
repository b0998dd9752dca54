using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Overlay.Modules;

namespace Overlay;

/// <summary>
/// The base class of every overlay algorithm (iOverlay's iAlgorithm): a message handler that the engine calls for
/// every message that is not engine-internal, always on the node's one logical thread.
/// </summary>
/// <remarks>
/// <para>Everything an algorithm does — <see cref="Process"/>, timer callbacks, <see cref="OnStart"/>,
/// <see cref="OnStop"/> — runs on its node's loop, never concurrently with itself, so an algorithm needs no locks.
/// It must not block that loop: it reacts to a message and returns.</para>
/// <para>Message ownership: a message given to <see cref="Process"/> belongs to the engine, which releases it
/// after <see cref="Process"/> returns, unless the answer is <see cref="Disposition.Hold"/> (then the algorithm
/// owns one reference and calls <see cref="Message.Release"/> once when done). A message made with
/// <see cref="CreateMessage"/> is released by the engine when the current callback returns; <see cref="Send"/>
/// takes its own references, so sending and forgetting is always right. To keep any message longer, call
/// <see cref="Message.Retain()"/> and release it later.</para>
/// </remarks>
public abstract class Algorithm
{
    private OverlayNode? _node;

    /// <summary>The node this algorithm runs on.</summary>
    /// <exception cref="InvalidOperationException">The algorithm is not attached to a node yet.</exception>
    protected OverlayNode Node => _node ?? throw new InvalidOperationException("The algorithm is not attached to a node.");

    /// <summary>This node's identity.</summary>
    protected NodeId Self => Node.Id;

    /// <summary>
    /// Nodes this algorithm knows of: every peer a link was opened to or accepted from (and, with an observer, the
    /// bootstrap set). The default handlers forget a peer whose link broke. Only touch it on the node's loop.
    /// </summary>
    protected HashSet<NodeId> KnownHosts { get; } = [];

    /// <summary>A logger named after the algorithm's type.</summary>
    protected ILogger Logger { get; private set; } = NullLogger.Instance;

    /// <summary>
    /// Handles one message. Override it with a switch on <see cref="Message.Type"/> and hand every type you do not
    /// handle to <c>base.Process</c>, which gives engine notifications to the <c>On…</c> methods and consumes the rest.
    /// </summary>
    /// <returns>What was done with the message.</returns>
    public virtual Disposition Process(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        switch (message.Type)
        {
            case MessageTypes.BrokenUpstream:
                OnBrokenUpstream(message.Sender);
                break;
            case MessageTypes.BrokenDownstream:
                OnBrokenDownstream(message.Sender);
                break;
            case MessageTypes.SendFailed:
                OnSendFailed(message.Sender);
                break;
            case MessageTypes.BrokenSource:
                OnBrokenSource(message.ApplicationId);
                break;
            case MessageTypes.SourceCompleted:
                OnSourceCompleted(message.ApplicationId);
                break;
            case MessageTypes.Writable:
                OnWritable(message.Sender);
                break;
        }

        return Disposition.Consumed;
    }

    /// <summary>Called on the node's loop once the node listens, before any message.</summary>
    protected virtual void OnStart()
    {
    }

    /// <summary>Called on the node's loop when the node stops: release every message still held here.</summary>
    protected virtual void OnStop()
    {
    }

    /// <summary>A link from <paramref name="peer"/> to this node failed or closed. By default the peer is forgotten.</summary>
    protected virtual void OnBrokenUpstream(NodeId peer) => KnownHosts.Remove(peer);

    /// <summary>The link from this node to <paramref name="peer"/> failed; what was buffered for it is lost. By default the peer is forgotten.</summary>
    protected virtual void OnBrokenDownstream(NodeId peer) => KnownHosts.Remove(peer);

    /// <summary>A link to <paramref name="peer"/> could not be opened; what was sent to it is lost. By default the peer is forgotten.</summary>
    protected virtual void OnSendFailed(NodeId peer) => KnownHosts.Remove(peer);

    /// <summary>The data source of <paramref name="applicationId"/> was cut short (terminated before its last message).</summary>
    protected virtual void OnBrokenSource(int applicationId)
    {
    }

    /// <summary>The data source of <paramref name="applicationId"/> produced its last message (its <see cref="SourceOptions.MessageLimit"/>).</summary>
    protected virtual void OnSourceCompleted(int applicationId)
    {
    }

    /// <summary>
    /// The link to <paramref name="peer"/> has room again after <see cref="TrySend"/> or <see cref="CanSend"/> found it
    /// full: called once per such full → room change, on the node's loop, so an algorithm that drops or queues for a
    /// slow peer knows when to send to it again without polling. Not called for a link that broke instead (that is
    /// <see cref="OnBrokenDownstream"/> or <see cref="OnSendFailed"/>).
    /// </summary>
    protected virtual void OnWritable(NodeId peer)
    {
    }

    /// <summary>
    /// Sends <paramref name="message"/> to <paramref name="destination"/>: zero-copy (the engine takes a reference),
    /// over the one persistent link to that node, opened on first use. Returns nothing: failures come back later
    /// as messages (<see cref="MessageTypes.SendFailed"/>, <see cref="MessageTypes.BrokenDownstream"/>).
    /// </summary>
    /// <remarks>
    /// During <see cref="Process"/>, a send to a full outbound buffer waits: the message keeps that destination and
    /// is retried every round, and the input it came from is not served again until it fits (back pressure).
    /// Header fields are shared by every destination; clone a message to send different headers.
    /// </remarks>
    protected void Send(Message message, NodeId destination)
    {
        // In a protocol stack a module sends through the layer below it, which may wrap or route what it is given;
        // only the bottom layer's sends go to the node.
        if (Below is { } below)
        {
            ArgumentNullException.ThrowIfNull(message);
            below.SendFromAbove(message, destination);
        }
        else
        {
            Node.SendFromLoop(message, destination);
        }
    }

    /// <summary>
    /// Sends <paramref name="message"/> to <paramref name="destination"/> only if its link has room now; never waits and
    /// never stalls the input being processed, so an algorithm can drop for (or queue for) a slow peer while its other
    /// links keep flowing.
    /// </summary>
    /// <returns>
    /// True when the message was queued, exactly as <see cref="Send"/> queues it (the engine took its own reference).
    /// False when the link's buffer is full or earlier sends still wait for it (or the node is stopping): the engine
    /// took no reference and kept nothing, so ownership is exactly as before the call — a message from
    /// <see cref="Process"/> is still released by the engine when <see cref="Process"/> returns (unless the answer is
    /// <see cref="Disposition.Hold"/>, then the one who holds it releases it), one from <see cref="CreateMessage"/>
    /// when the callback returns. After a false, <see cref="OnWritable"/> is called once the link has room again.
    /// </returns>
    /// <remarks>
    /// A peer without a link gets one, as with <see cref="Send"/>, and its buffer (<see cref="OverlayNodeOptions.BufferCapacity"/>
    /// messages) takes messages while the link connects: they leave once it is open, or are counted lost with
    /// <see cref="MessageTypes.SendFailed"/> if it never opens. A send to this node itself always succeeds.
    /// </remarks>
    protected bool TrySend(Message message, NodeId destination)
    {
        // In a protocol stack the layer below answers (a routing layer for the next hop); the bottom layer asks the node.
        if (Below is { } below)
        {
            ArgumentNullException.ThrowIfNull(message);
            return below.TrySendFromAbove(message, destination);
        }

        return Node.TrySendFromLoop(message, destination);
    }

    /// <summary>
    /// True when a <see cref="Send"/> or <see cref="TrySend"/> to <paramref name="destination"/> would go into its link's
    /// buffer now (also for a peer without a link yet, whose new buffer is empty). False when it is full or sends wait
    /// for it (or the node is stopping); then <see cref="OnWritable"/> is called once it has room again. Only the node's
    /// loop fills a buffer, so a true stays true until this callback sends.
    /// </summary>
    protected bool CanSend(NodeId destination) =>
        Below is { } below ? below.CanSendFromAbove(destination) : Node.CanSendFromLoop(destination);

    /// <summary>
    /// A new message from this node (sender = <see cref="Self"/>) with a payload of <paramref name="payloadLength"/> bytes,
    /// released by the engine when the current callback returns.
    /// </summary>
    protected Message CreateMessage(int type, int applicationId, int payloadLength) =>
        Node.CreateMessageOnLoop(type, applicationId, payloadLength);

    /// <summary>Calls <paramref name="callback"/> on the node's loop after <paramref name="dueTime"/>, then every <paramref name="period"/>.</summary>
    /// <param name="dueTime">Delay before the first call.</param>
    /// <param name="period">Interval between calls; <see cref="Timeout.InfiniteTimeSpan"/> for one call.</param>
    /// <param name="callback">Runs on the node's loop, like <see cref="Process"/>.</param>
    /// <returns>Dispose it to cancel the timer.</returns>
    protected IDisposable Schedule(TimeSpan dueTime, TimeSpan period, Action callback) =>
        Node.ScheduleOnLoop(dueTime, period, callback);

    /// <summary>Starts a data source for <paramref name="applicationId"/> on this node; its messages come to <see cref="Process"/>.</summary>
    protected void DeploySource(int applicationId, SourceOptions? options = null) =>
        Node.DeploySourceOnLoop(applicationId, options ?? new SourceOptions());

    /// <summary>Stops the data source of <paramref name="applicationId"/> on this node.</summary>
    protected void TerminateSource(int applicationId) => Node.TerminateSourceOnLoop(applicationId);

    /// <summary>
    /// Asks the engine to measure the available bandwidth and round-trip time to <paramref name="peer"/> (connected or
    /// not yet): a short probe train and a ping go out, and the answer comes back as a
    /// <see cref="MessageTypes.MeasurementResult"/> message (read it with <see cref="MeasurementResult.TryRead"/>).
    /// </summary>
    protected void MeasurePeer(NodeId peer) => Node.MeasurePeerOnLoop(peer);

    /// <summary>
    /// Closes the links to and from <paramref name="peer"/> at once; what was buffered for it is lost and the peer sees
    /// its links break. A later <see cref="Send"/> to the peer opens a new link. This is how an algorithm passes a
    /// failure on down a tree (the "domino effect").
    /// </summary>
    protected void Disconnect(NodeId peer) => Node.DisconnectOnLoop(peer);

    /// <summary>
    /// Sends a line of text to the observer's trace log (with this node and the time), or to the node's logger when
    /// there is no observer. Thread-safe.
    /// </summary>
    protected void Trace(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Node.TraceFromAlgorithm(text);
    }

    /// <summary>
    /// Sets the weight of the upstream link from <paramref name="upstream"/>: the switch takes up to
    /// <paramref name="weight"/> messages from it per round, and it gets that weight's part of the node's download and
    /// total budgets while it is backlogged. Works before the link exists and is kept across reconnects; see
    /// <see cref="OverlayNode.SetUpstreamWeight"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="weight"/> is below 1 or above <see cref="OverlayNode.MaxUpstreamWeight"/>.</exception>
    protected void SetUpstreamWeight(NodeId upstream, int weight) => Node.SetUpstreamWeight(upstream, weight);

    /// <summary>The weight of the upstream link from <paramref name="upstream"/> (1 unless set).</summary>
    protected int GetUpstreamWeight(NodeId upstream) => Node.GetUpstreamWeight(upstream);

    /// <summary>In a <see cref="ProtocolStack"/>, the module this one sends through; null on the bottom layer or alone.</summary>
    internal ProtocolModule? Below { get; set; }

    internal void RunStart() => OnStart();

    // Virtual so that a protocol stack can tell each of its modules.
    internal virtual void LearnHost(NodeId peer) => KnownHosts.Add(peer);

    internal void RunStop() => OnStop();

    // Virtual so that a protocol stack can attach each of its modules to the same node.
    internal virtual void Attach(OverlayNode node, ILogger logger)
    {
        if (_node is not null)
            throw new InvalidOperationException("An algorithm instance runs on one node only.");
        _node = node;
        Logger = logger;
    }
}
