/*
 * test-xtree.c: the XML tree layer parses, formats and refuses hostile input
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "util/xtree.h"

static char *
roundtrip(const char *xml)
{
    g_autoptr(vd_doc) doc = NULL;
    g_autoptr(vdisk_error) err = NULL;
    GString *buf = g_string_new(NULL);

    assert_int_equal(vd_doc_parse(&doc, xml, strlen(xml), "test XML", &err), 0);
    vd_node_format(buf, doc->root, 0);
    return g_string_free(buf, FALSE);
}

static void
test_format_libvirt_style(void **state)
{
    g_autofree char *out = roundtrip("<disk type=\"file\"><driver name='qemu'/>\n  <serial>a&amp;b</serial>"
                                     "<x:y xmlns:x='urn:x' x:a='1'/></disk>");
    assert_string_equal(out, "<disk type='file'>\n"
                             "  <driver name='qemu'/>\n"
                             "  <serial>a&amp;b</serial>\n"
                             "  <x:y xmlns:x='urn:x' x:a='1'/>\n"
                             "</disk>\n");
}

static void
test_escape_attr_entities(void **state)
{
    g_autofree char *out = roundtrip("<a v='&lt;&quot;&apos;&#65;&amp;'/>");
    assert_string_equal(out, "<a v='&lt;&quot;&apos;A&amp;'/>\n");
}

static void
expect_xml_error(const char *xml, const char *needle)
{
    g_autoptr(vd_doc) doc = NULL;
    g_autoptr(vdisk_error) err = NULL;

    assert_int_equal(vd_doc_parse(&doc, xml, strlen(xml), "test XML", &err), -1);
    assert_null(doc);
    assert_non_null(err);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_XML);
    if (!strstr(vdisk_error_get_message(err), needle))
        fail_msg("message '%s' lacks '%s'", vdisk_error_get_message(err), needle);
}

static void
test_refuses_hostile(void **state)
{
    expect_xml_error("<!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><d>&x;</d>",
                     "document type");
    expect_xml_error("<!DOCTYPE d [<!ENTITY a 'aaaa'><!ENTITY b '&a;&a;&a;'>]><d>&b;</d>",
                     "document type");
    expect_xml_error("<d>&nope;</d>", "nope");
    expect_xml_error("<disk><target dev='vda'></disk>", "line 1");
    expect_xml_error("", "test XML");
}

static void
test_error_position(void **state)
{
    g_autoptr(vd_doc) doc = NULL;
    g_autoptr(vdisk_error) err = NULL;
    const char *xml = "<disk>\n  <target dev='vda'>\n</disk>\n";

    assert_int_equal(vd_doc_parse(&doc, xml, strlen(xml), "disk XML", &err), -1);
    assert_int_equal(vdisk_error_get_line(err), 3);
    assert_true(vdisk_error_get_column(err) > 0);
}

static void
test_deep_nesting_refused(void **state)
{
    GString *s = g_string_new(NULL);
    int i;

    for (i = 0; i < 10000; i++)
        g_string_append(s, "<a>");
    expect_xml_error(s->str, "deeply");
    g_string_free(s, TRUE);
}

static void
test_mixed_content_is_fixed_point(void **state)
{
    g_autofree char *once = roundtrip("<d>\n  $ \n<a/>x<b/></d>");
    g_autofree char *twice = roundtrip(once);

    assert_string_equal(once, "<d>\n  $\n  <a/>\n  x\n  <b/>\n</d>\n");
    assert_string_equal(once, twice);
}

/* Namespace declarations, attribute values and text hold the characters
 * they stand for, however the input spelled them, and are escaped once when
 * formatted: a second pass reads the same values and writes the same text. */
static void
test_values_stored_unescaped(void **state)
{
    static const char *xml = "<a xmlns='urn:d&amp;&apos;%3C' xmlns:x=\"urn:p&#38;'&#x25;22\""
                             " x:v='&amp;&lt;&gt;&apos;&quot;\xc3\xa9' w=\"&#38;&#60;'&#233;\">"
                             "<x:b xmlns:y='urn:y&amp;amp;'>t&amp;&lt;&gt;'\"\xc3\xa9</x:b>"
                             "<c><![CDATA[&<>'\"]]>&#233;</c></a>";
    static const char *expect =
        "<a xmlns='urn:d&amp;&apos;%3C' xmlns:x='urn:p&amp;&apos;%22'"
        " x:v='&amp;&lt;&gt;&apos;&quot;\xc3\xa9' w='&amp;&lt;&apos;\xc3\xa9'>\n"
        "  <x:b xmlns:y='urn:y&amp;amp;'>t&amp;&lt;&gt;&apos;&quot;\xc3\xa9</x:b>\n"
        "  <c>&amp;&lt;&gt;&apos;&quot;\xc3\xa9</c>\n"
        "</a>\n";
    g_autoptr(vd_doc) doc = NULL;
    g_autoptr(vd_doc) again = NULL;
    g_autoptr(vdisk_error) err = NULL;
    g_autofree char *once = NULL;
    g_autofree char *twice = NULL;
    GString *buf = g_string_new(NULL);
    vd_node *b;

    assert_int_equal(vd_doc_parse(&doc, xml, strlen(xml), "test XML", &err), 0);
    assert_string_equal(vd_node_attr(doc->root, "xmlns"), "urn:d&'%3C");
    assert_string_equal(vd_node_attr(doc->root, "xmlns:x"), "urn:p&'%22");
    assert_string_equal(vd_node_attr(doc->root, "x:v"), "&<>'\"\xc3\xa9");
    assert_string_equal(vd_node_attr(doc->root, "w"), "&<'\xc3\xa9");
    b = vd_node_child(doc->root, "x:b");
    assert_non_null(b);
    assert_string_equal(vd_node_attr(b, "xmlns:y"), "urn:y&amp;");
    assert_string_equal(vd_node_text(doc, b), "t&<>'\"\xc3\xa9");
    assert_string_equal(vd_node_text(doc, vd_node_child(doc->root, "c")), "&<>'\"\xc3\xa9");

    vd_node_format(buf, doc->root, 0);
    once = g_string_free(buf, FALSE);
    assert_string_equal(once, expect);
    assert_int_equal(vd_doc_parse(&again, once, strlen(once), "test XML", &err), 0);
    assert_true(vd_node_equal(doc->root, again->root));
    buf = g_string_new(NULL);
    vd_node_format(buf, again->root, 0);
    twice = g_string_free(buf, FALSE);
    assert_string_equal(once, twice);
}

/* libxml2 checks namespace names as URIs: characters a URI cannot hold are
 * refused on the first parse, never accepted and then refused. */
static void
test_namespace_not_uri_refused(void **state)
{
    expect_xml_error("<a xmlns='urn:a&lt;b'/>", "not a valid URI");
    expect_xml_error("<x:a xmlns:x='urn:a&quot;b'/>", "not a valid URI");
    expect_xml_error("<x:a xmlns:x='urn:a\xc3\xa9z'/>", "not a valid URI");
}

static char *
format_subtree(const vd_node *node, vd_known_fn known)
{
    GString *buf = g_string_new(NULL);

    vd_node_format_alone(buf, node, 0, known);
    return g_string_free(buf, FALSE);
}

static bool
known_k(const vd_node *node)
{
    return strcmp(node->name, "k") == 0;
}

/* A subtree formatted on its own takes along the declarations in scope
 * that it uses and does not make itself: the nearest one of each prefix,
 * outermost ancestor first; the whole tree is formatted unchanged. */
static void
test_subtree_takes_declarations_in_scope(void **state)
{
    static const char *xml =
        "<r xmlns:a='urn:a' xmlns:b='urn:b' xmlns:u='urn:unused' xmlns='urn:d'>"
        "<m xmlns:a='urn:a2' xmlns:c='urn:c'>"
        "<s><a:x b:v='1' xml:lang='en'/><k/><y xmlns:c='urn:c2'><c:z/></y></s>"
        "<t><k/></t><w xmlns=''><e/></w><v><e xmlns='urn:e'/></v></m></r>";
    g_autoptr(vd_doc) doc = NULL;
    g_autoptr(vd_doc) again = NULL;
    g_autoptr(vdisk_error) err = NULL;
    g_autofree char *whole = NULL;
    g_autofree char *s = NULL;
    g_autofree char *t = NULL;
    g_autofree char *t_known = NULL;
    g_autofree char *w = NULL;
    g_autofree char *v = NULL;
    vd_node *m;
    vd_node *sn;
    vd_node *copy;

    assert_int_equal(vd_doc_parse(&doc, xml, strlen(xml), "test XML", &err), 0);
    m = vd_node_child(doc->root, "m");
    sn = vd_node_child(m, "s");
    s = format_subtree(sn, known_k);
    /* a is urn:a2 (<m>'s), c is declared again inside, xml is predefined,
     * the default namespace goes with the unknown <s> */
    assert_string_equal(s, "<s xmlns:b='urn:b' xmlns='urn:d' xmlns:a='urn:a2'>\n"
                           "  <a:x b:v='1' xml:lang='en'/>\n"
                           "  <k/>\n"
                           "  <y xmlns:c='urn:c2'>\n"
                           "    <c:z/>\n"
                           "  </y>\n"
                           "</s>\n");
    /* only known unprefixed elements: no default namespace needed */
    t_known = format_subtree(vd_node_child(m, "t"), known_k);
    t = format_subtree(vd_node_child(vd_node_child(m, "t"), "k"), NULL);
    assert_string_equal(t_known, "<t xmlns='urn:d'>\n  <k/>\n</t>\n");
    assert_string_equal(t, "<k xmlns='urn:d'/>\n");
    g_free(t);
    t = format_subtree(vd_node_child(vd_node_child(m, "t"), "k"), known_k);
    assert_string_equal(t, "<k/>\n");
    /* no namespace (xmlns=''), or one declared inside: nothing taken */
    w = format_subtree(vd_node_child(vd_node_child(m, "w"), "e"), NULL);
    assert_string_equal(w, "<e/>\n");
    v = format_subtree(vd_node_child(m, "v"), known_k);
    assert_string_equal(v, "<v xmlns='urn:d'>\n  <e xmlns='urn:e'/>\n</v>\n");

    /* the output stands alone and reads back as the same subtree */
    assert_int_equal(vd_doc_parse(&again, s, strlen(s), "test XML", &err), 0);
    assert_true(vd_node_equal_alone(again->root, sn, known_k));
    assert_false(vd_node_equal(again->root, sn));
    assert_false(vd_node_equal_alone(again->root, vd_node_child(m, "t"), known_k));
    copy = vd_node_copy_to(again, sn, NULL, known_k);
    assert_true(vd_node_equal(copy, again->root));

    /* the whole tree: each declaration where it was, once */
    whole = format_subtree(doc->root, NULL);
    assert_string_equal(whole,
                        "<r xmlns:a='urn:a' xmlns:b='urn:b' xmlns:u='urn:unused' xmlns='urn:d'>\n"
                        "  <m xmlns:a='urn:a2' xmlns:c='urn:c'>\n"
                        "    <s>\n"
                        "      <a:x b:v='1' xml:lang='en'/>\n"
                        "      <k/>\n"
                        "      <y xmlns:c='urn:c2'>\n"
                        "        <c:z/>\n"
                        "      </y>\n"
                        "    </s>\n"
                        "    <t>\n"
                        "      <k/>\n"
                        "    </t>\n"
                        "    <w xmlns=''>\n"
                        "      <e/>\n"
                        "    </w>\n"
                        "    <v>\n"
                        "      <e xmlns='urn:e'/>\n"
                        "    </v>\n"
                        "  </m>\n"
                        "</r>\n");
}

static void
test_sort_keeps_unknown_in_place(void **state);

static int
rank_abc(const vd_node *parent, const char *name)
{
    if (strcmp(name, "a") == 0)
        return 0;
    if (strcmp(name, "b") == 0)
        return 1;
    if (strcmp(name, "c") == 0)
        return 2;
    return -1;
}

static void
test_sort_keeps_unknown_in_place(void **state)
{
    g_autoptr(vd_doc) doc = NULL;
    g_autoptr(vdisk_error) err = NULL;
    const char *xml = "<r><c/><x/><b/><a/><y/></r>";
    GString *buf = g_string_new(NULL);

    assert_int_equal(vd_doc_parse(&doc, xml, strlen(xml), "t", &err), 0);
    vd_node_sort_children(doc->root, rank_abc);
    vd_node_format(buf, doc->root, 0);
    assert_string_equal(buf->str, "<r>\n  <a/>\n  <y/>\n  <b/>\n  <c/>\n  <x/>\n</r>\n");
    g_string_free(buf, TRUE);
}

/* Text on both sides of a dropped element is one text, as the formatted
 * XML reads back: formatting the element alone or in a document deeper
 * down gives the same tree. */
static void
test_drop_repeated_joins_text(void **state)
{
    const char *xml = "<r><a/>x<a/>y<a/>z<b/><b/></r>";
    g_autoptr(vd_doc) doc = NULL;
    g_autoptr(vd_doc) again = NULL;
    g_autoptr(vdisk_error) err = NULL;
    g_autofree char *out = NULL;

    (void)state;
    assert_int_equal(vd_doc_parse(&doc, xml, strlen(xml), "t", &err), 0);
    vd_node_drop_repeated(doc, doc->root, rank_abc);
    out = format_subtree(doc->root, NULL);
    assert_string_equal(out, "<r>\n  <a/>\n  xyz\n  <b/>\n</r>\n");
    assert_int_equal(vd_doc_parse(&again, out, strlen(out), "t", &err), 0);
    assert_true(vd_node_equal(doc->root, again->root));
}

/* However an element between two texts goes away, the texts format as
 * the one text they read back as, and compare as it. */
static void
test_texts_in_a_row_are_one_text(void **state)
{
    const char *xml = "<r><i>r<x/>(</i><m><a/>n<x/>=<b/></m></r>";
    g_autoptr(vd_doc) doc = NULL;
    g_autoptr(vd_doc) again = NULL;
    g_autoptr(vdisk_error) err = NULL;
    g_autofree char *out = NULL;
    g_autofree char *m_alone = NULL;
    g_autofree char *twice = NULL;
    vd_node *i;
    vd_node *m;

    (void)state;
    assert_int_equal(vd_doc_parse(&doc, xml, strlen(xml), "t", &err), 0);
    i = vd_node_child(doc->root, "i");
    m = vd_node_child(doc->root, "m");
    vd_node_unlink(vd_node_child(i, "x"));
    vd_node_unlink(vd_node_child(m, "x"));
    out = format_subtree(doc->root, NULL);
    assert_string_equal(out, "<r>\n"
                             "  <i>r(</i>\n"
                             "  <m>\n"
                             "    <a/>\n"
                             "    n=\n"
                             "    <b/>\n"
                             "  </m>\n"
                             "</r>\n");
    assert_int_equal(vd_doc_parse(&again, out, strlen(out), "t", &err), 0);
    assert_true(vd_node_equal(doc->root, again->root));
    assert_true(vd_node_equal(again->root, doc->root));
    twice = format_subtree(again->root, NULL);
    assert_string_equal(out, twice);
    /* formatted at another depth, the same text */
    m_alone = format_subtree(m, NULL);
    assert_string_equal(m_alone, "<m>\n  <a/>\n  n=\n  <b/>\n</m>\n");
    /* and a different text still differs */
    vd_node_set_text(again, vd_node_child(again->root, "i"), "r)");
    assert_false(vd_node_equal(doc->root, again->root));
}

/* Names with the same look-up key (length, first, middle and last byte)
 * are told apart, whatever their length, and so are names longer than
 * the key counts. */
static void
test_lookups_tell_names_with_one_key_apart(void **state)
{
    static const char *const names[][2] = {
        {"abcde", "aXcYe"},
        {"abcdefgh", "aXcdeYgh"},
        {"abcdefghijklmnopq", "abcdefghiXklmnopq"},
        {"bbcdefghijklmnopq", "bbcdefgXijklmnopq"},
    };
    g_autofree char *long_a = g_strnfill(300, 'a');
    g_autofree char *long_b = g_strdup(long_a);
    g_autoptr(vd_doc) doc = vd_doc_new();
    vd_node *root = vd_node_new(doc, "root");
    size_t i;

    long_b[3] = 'b'; /* 300 bytes each: the key holds 255 for both */
    for (i = 0; i < G_N_ELEMENTS(names); i++) {
        vd_node *first = vd_node_new(doc, names[i][0]);
        vd_node *second = vd_node_new(doc, names[i][1]);

        assert_int_equal(first->key, second->key);
        vd_node_append(root, first);
        vd_node_append(root, second);
        assert_ptr_equal(vd_node_child(root, names[i][1]), second);
        assert_ptr_equal(vd_node_child(root, names[i][0]), first);
        vd_node_set_attr(doc, root, names[i][1], "2");
        vd_node_set_attr(doc, root, names[i][0], "1");
        assert_string_equal(vd_node_attr(root, names[i][1]), "2");
        assert_string_equal(vd_node_attr(root, names[i][0]), "1");
    }
    vd_node_set_attr(doc, root, long_b, "b");
    vd_node_set_attr(doc, root, long_a, "a");
    assert_string_equal(vd_node_attr(root, long_a), "a");
    assert_string_equal(vd_node_attr(root, long_b), "b");
    assert_null(vd_node_child(root, "abcdX"));
}

/* Attributes are found however they came to an element: parsed, set,
 * renamed, copied; an absent one is not, and one removed is not. */
static void
test_attrs_found_however_they_came(void **state)
{
    static const char xml[] = "<a x='1' xmlns:p='urn:p' p:y='2'><b p:z='3'/></a>";
    g_autoptr(vd_doc) doc = NULL;
    vd_node *copy;
    vd_attr *a;

    (void)state;
    assert_int_equal(vd_doc_parse(&doc, xml, strlen(xml), "test", NULL), 0);
    assert_string_equal(vd_node_attr(doc->root, "x"), "1");
    assert_string_equal(vd_node_attr(doc->root, "p:y"), "2");
    assert_string_equal(vd_node_attr(doc->root, "xmlns:p"), "urn:p");
    assert_string_equal(vd_node_attr(doc->root->children, "p:z"), "3");
    assert_null(vd_node_attr(doc->root, "p:z"));
    vd_node_set_attr(doc, doc->root, "new", "4");
    assert_string_equal(vd_node_attr(doc->root, "new"), "4");
    a = vd_node_attr_find(doc->root, "x");
    vd_attr_rename(doc->root, a, "renamed");
    assert_null(vd_node_attr(doc->root, "x"));
    assert_string_equal(vd_node_attr(doc->root, "renamed"), "1");
    vd_node_set_attr(doc, doc->root, "new", NULL);
    assert_null(vd_node_attr(doc->root, "new"));
    copy = vd_node_copy(doc, doc->root);
    assert_string_equal(vd_node_attr(copy, "renamed"), "1");
    assert_string_equal(vd_node_attr(copy, "p:y"), "2");
    assert_null(vd_node_attr(copy, "new"));
    copy = vd_node_copy_to(doc, doc->root->children, NULL, NULL);
    assert_string_equal(vd_node_attr(copy, "p:z"), "3");
    assert_string_equal(vd_node_attr(copy, "xmlns:p"), "urn:p");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_libvirt_style),
        cmocka_unit_test(test_attrs_found_however_they_came),
        cmocka_unit_test(test_escape_attr_entities),
        cmocka_unit_test(test_refuses_hostile),
        cmocka_unit_test(test_error_position),
        cmocka_unit_test(test_deep_nesting_refused),
        cmocka_unit_test(test_sort_keeps_unknown_in_place),
        cmocka_unit_test(test_mixed_content_is_fixed_point),
        cmocka_unit_test(test_values_stored_unescaped),
        cmocka_unit_test(test_namespace_not_uri_refused),
        cmocka_unit_test(test_subtree_takes_declarations_in_scope),
        cmocka_unit_test(test_drop_repeated_joins_text),
        cmocka_unit_test(test_texts_in_a_row_are_one_text),
        cmocka_unit_test(test_lookups_tell_names_with_one_key_apart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
