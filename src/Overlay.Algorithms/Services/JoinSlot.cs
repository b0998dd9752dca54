namespace Overlay.Algorithms.Services;

/// <summary>A message held at a join service until every producer has delivered its copy of it.</summary>
/// <param name="Message">The first copy, held (one reference owned by the route).</param>
/// <param name="Arrivals">How many producers delivered this sequence number so far.</param>
/// <param name="Applied">The most services any copy passed through.</param>
internal readonly record struct JoinSlot(Message Message, int Arrivals, int Applied);
