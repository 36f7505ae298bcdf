"""The SGP.22 v2.2+ ASN.1 subset the project needs (RSPDefinitions), written for this repository.

* ``rsp.asn``: the module text (ES8+, ES9+, ES10a/b/c structures of SGP.22 §2.5, §5.5-§5.7),
  tags as in SGP.22 §5.7; compiled once with asn1tools (DER) on first use by
  :func:`esim.asn1.codec.rsp_codec`, never at import.
* :mod:`.codec`: the lazily built codec, typed encode/decode errors, and the start-up self-test
  for the asn1tools OID decoding bug (asn1tools issue #194).
* :mod:`.messages`: one encode/decode helper pair per ES9+/ES10 message.
* :mod:`.tlv`: a BER-TLV slicer for the raw signed bytes (SGP.22).
"""
